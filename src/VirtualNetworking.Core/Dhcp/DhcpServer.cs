using System.Net;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>
/// The DHCPv4 server of one scope as a pure state machine: no sockets, files or clock. The host feeds it
/// datagrams with the current time, persists the returned lease changes, then sends the reply.
/// Not thread-safe: one host thread per scope calls it.
/// </summary>
public sealed partial class DhcpServer
{
    private readonly DhcpLeaseTable _table = new();
    private readonly DhcpCounters _counters = new();
    private readonly DhcpAddressPool _pool;
    private readonly List<DhcpReservation> _reservations;
    private readonly uint _server, _network, _broadcast;

    public DhcpServer(DhcpScope scope)
    {
        var problems = scope.Validate();
        if (problems.Count > 0) throw new ArgumentException("Invalid DHCP scope: " + string.Join("; ", problems) + ".", nameof(scope));
        Scope = scope;
        _pool = new DhcpAddressPool(scope.Ranges);
        _reservations = [.. scope.Reservations];
        _server = Ipv4.ToUInt32(scope.ServerAddress);
        _network = Ipv4.ToUInt32(scope.Subnet.Network);
        _broadcast = Ipv4.ToUInt32(scope.Subnet.Broadcast);
    }

    /// <summary>The scope as configured, with <see cref="DhcpScope.Reservations"/> reflecting live changes.</summary>
    public DhcpScope Scope { get; private set; }

    /// <summary>
    /// Bound and declined records: what a compacted lease file holds. Unordered: the daemon takes this under
    /// its serving lock, and <see cref="LeaseFileFormat.Serialize"/> sorts.
    /// </summary>
    public IReadOnlyList<DhcpLease> Leases => [.. _table.All.Where(l => l.State != DhcpLeaseState.Offered)];

    public DhcpStatistics GetStatistics(DateTimeOffset now) =>
        _counters.Snapshot(_table.All.Count(l => l.State == DhcpLeaseState.Bound && !l.IsExpired(now)));

    /// <summary>Parses and handles one datagram; garbage is counted as dropped and never answered.</summary>
    public DhcpResult Handle(ReadOnlySpan<byte> datagram, DhcpReceiveInfo received, DateTimeOffset now)
    {
        if (DhcpPacket.TryParse(datagram, out var packet, out var problem)) return Handle(packet, received, now);
        return Drop($"{problem} (on {received.InterfaceName})");
    }

    public DhcpResult Handle(DhcpPacket request, DhcpReceiveInfo received, DateTimeOffset now)
    {
        if (Unservable(request) is { } reason) return Drop($"{reason} (on {received.InterfaceName})");
        var client = DhcpClient.From(request);
        return request.MessageType switch
        {
            DhcpMessageType.Discover => Discover(request, client, now),
            DhcpMessageType.Request => Request(request, client, received, now),
            DhcpMessageType.Decline => Decline(request, client, now),
            DhcpMessageType.Release => Release(request, client),
            DhcpMessageType.Inform => Inform(request),
            var type => Drop($"a client does not send {type}"),
        };
    }

    /// <summary>When the first lease, offer or quarantine ends (null: none ends): the next <see cref="RemoveExpired"/> worth making.</summary>
    public DateTimeOffset? NextExpiry => _table.All.Min(l => l.Expires);

    /// <summary>Forgets expired leases, offers and quarantines; returns the removals to persist.</summary>
    public IReadOnlyList<DhcpLeaseChange> RemoveExpired(DateTimeOffset now)
    {
        var changes = new List<DhcpLeaseChange>();
        foreach (var lease in _table.All.Where(l => l.IsExpired(now)).ToList())
        {
            _table.Remove(Ipv4.ToUInt32(lease.Address));
            if (lease.State != DhcpLeaseState.Offered) changes.Add(new(DhcpLeaseChangeKind.Remove, lease));
        }
        return changes;
    }

    /// <summary>
    /// Loads persisted records (state restore at start-up). Offers, expired records and addresses outside
    /// the subnet are skipped; a later record for the same address or client wins. Returns how many were loaded.
    /// </summary>
    public int Restore(IEnumerable<DhcpLease> leases, DateTimeOffset now)
    {
        var loaded = 0;
        foreach (var lease in leases)
        {
            if (lease.State == DhcpLeaseState.Offered || lease.IsExpired(now) || !Ipv4.IsIPv4(lease.Address)) continue;
            if (!IsClientAddress(Ipv4.ToUInt32(lease.Address))) continue;
            _table.Put(lease);
            loaded++;
        }
        return loaded;
    }

    /// <summary>
    /// Adds a reservation, replacing one for the same MAC (or, without MAC, the same host name). Existing
    /// leases are kept: if another client holds the address, it keeps it until it expires or is released,
    /// and its next renewal is NAKed; meanwhile the reserved client gets a pool address and is NAKed onto
    /// its reservation at its first renewal after the address came free.
    /// </summary>
    public void AddReservation(DhcpReservation reservation)
    {
        var others = _reservations.Where(r => !SameHolder(r, reservation)).ToList();
        var problems = Scope.ReservationProblems(reservation, [.. others, reservation]).ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems) + ".", nameof(reservation));
        _reservations.Clear();
        _reservations.AddRange([.. others, reservation]);
        Scope = Scope with { Reservations = [.. _reservations] };
    }

    /// <summary>
    /// Removes the reservation of an address. A lease on it stays with its client, which may renew it
    /// while the lease lasts even if the address is outside the dynamic ranges; once it lapses the
    /// address is only handed out again if it is in a range.
    /// </summary>
    public bool RemoveReservation(IPAddress address)
    {
        if (_reservations.RemoveAll(r => r.Address.Equals(address)) == 0) return false;
        Scope = Scope with { Reservations = [.. _reservations] };
        return true;
    }

    private static bool SameHolder(DhcpReservation a, DhcpReservation b) =>
        a.HardwareAddress is not null || b.HardwareAddress is not null
            ? Equals(a.HardwareAddress, b.HardwareAddress)
            : string.Equals(a.HostName, b.HostName, StringComparison.OrdinalIgnoreCase);

    private string? Unservable(DhcpPacket request)
    {
        if (request.Op != DhcpPacket.BootRequest) return "not a BOOTREQUEST";
        if (request.HardwareType != 1 || request.HardwareAddressLength != 6) return "not an Ethernet client";
        if (!Ipv4.IsIPv4(request.ClientAddress) || !Ipv4.IsIPv4(request.YourAddress) ||
            !Ipv4.IsIPv4(request.NextServerAddress) || !Ipv4.IsIPv4(request.RelayAddress)) return "header addresses are not IPv4";
        if (request.MessageType is null) return "no valid DHCP message type";
        if (!DhcpReplyBuilder.IsZero(request.RelayAddress) && !Scope.Subnet.Contains(request.RelayAddress))
            return $"relayed from {request.RelayAddress}, outside {Scope.Subnet}";
        return null;
    }

    private DhcpResult Drop(string reason)
    {
        _counters.Dropped++;
        return DhcpResult.Silent("dropped: " + reason);
    }

    /// <summary>An address a client may hold at all: in the subnet and not the server, network or broadcast address.</summary>
    private bool IsClientAddress(uint address) =>
        Scope.Subnet.Contains(Ipv4.ToAddress(address)) && address != _server && address != _network && address != _broadcast;
}
