using System.Net.Sockets;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Core.Dhcp6;

/// <summary>
/// The DHCPv6 server of one scope as a pure state machine (RFC 8415 §18.3), in the shape of <see cref="DhcpServer"/>:
/// no sockets, files or clock. The host feeds it datagrams with the current time, persists the returned lease changes,
/// then sends the reply. Only IA_NA is served (no temporary addresses, no prefix delegation), as dnsmasq under libvirt.
/// Not thread-safe: one host thread per scope calls it.
/// </summary>
public sealed partial class Dhcp6Server
{
    /// <summary>
    /// More IA_NAs than any client asks for (one per interface, usually one): such a message is dropped, so that a reply,
    /// which grows with them, stays within one datagram and one client cannot drain the pool with one message.
    /// </summary>
    public const int MaximumIaNas = 16;

    private readonly Dhcp6LeaseTable _table = new();
    private readonly Dhcp6AddressPool _pool;
    private readonly UInt128 _server, _subnetRouter;

    public Dhcp6Server(Dhcp6Scope scope)
    {
        var problems = scope.Validate();
        if (problems.Count > 0) throw new ArgumentException("Invalid DHCPv6 scope: " + string.Join("; ", problems) + ".", nameof(scope));
        Scope = scope;
        _pool = new Dhcp6AddressPool(scope.Ranges);
        _server = IpNetwork.ToInteger(scope.ServerAddress);
        _subnetRouter = IpNetwork.ToInteger(scope.Subnet.Network);
    }

    public Dhcp6Scope Scope { get; }

    /// <summary>Bound and declined records: what a compacted lease file holds. Unordered; <see cref="Dhcp6LeaseFileFormat.Serialize"/> sorts.</summary>
    public IReadOnlyList<Dhcp6Lease> Leases => [.. _table.All];

    /// <summary>When the first lease or quarantine ends (null: none ends): the next <see cref="RemoveExpired"/> worth making.</summary>
    public DateTimeOffset? NextExpiry => _table.All.Min(l => l.Expires);

    /// <summary>Parses and handles one datagram; garbage is never answered.</summary>
    public Dhcp6Result Handle(ReadOnlySpan<byte> datagram, Dhcp6ReceiveInfo received, DateTimeOffset now) =>
        Dhcp6Message.TryParse(datagram, out var message, out var problem)
            ? Handle(message, received, now)
            : Dhcp6Result.Silent($"dropped: {problem} (on {received.InterfaceName})");

    public Dhcp6Result Handle(Dhcp6Message request, Dhcp6ReceiveInfo received, DateTimeOffset now)
    {
        if (Unservable(request) is { } reason) return Dhcp6Result.Silent($"dropped: {reason} (on {received.InterfaceName})");
        if (!received.ArrivedAsMulticast && request.MessageType is Dhcp6MessageType.Request or Dhcp6MessageType.Renew
                or Dhcp6MessageType.Release or Dhcp6MessageType.Decline)
            return Answer(request, [Dhcp6Option.Status(new(Dhcp6StatusCode.UseMulticast, "send to All_DHCP_Relay_Agents_and_Servers"))], [],
                $"{request.MessageType} from {request.ClientId} arrived unicast: UseMulticast");
        var result = request.MessageType switch
        {
            Dhcp6MessageType.Solicit => Solicit(request, now),
            Dhcp6MessageType.Request => Request(request, now),
            Dhcp6MessageType.Renew => Renew(request, now),
            Dhcp6MessageType.Rebind => Rebind(request, now),
            Dhcp6MessageType.Release => Release(request),
            Dhcp6MessageType.Decline => Decline(request, now),
            Dhcp6MessageType.Confirm => Confirm(request),
            _ => InformationRequest(request),
        };
        // The bindings stand and are still to be persisted; the client, unanswered, asks again.
        return result.Reply is { WireLength: > Dhcp6Message.MaximumLength }
            ? result with { Reply = null, Summary = $"unanswered: the reply to {request.MessageType} would not fit a datagram ({result.Summary})" }
            : result;
    }

    /// <summary>Forgets expired leases and quarantines; returns the removals to persist.</summary>
    public IReadOnlyList<Dhcp6LeaseChange> RemoveExpired(DateTimeOffset now)
    {
        var changes = new List<Dhcp6LeaseChange>();
        foreach (var lease in _table.All.Where(l => l.IsExpired(now)).ToList())
        {
            _table.Remove(IpNetwork.ToInteger(lease.Address));
            changes.Add(new(DhcpLeaseChangeKind.Remove, lease));
        }
        return changes;
    }

    /// <summary>
    /// Loads persisted records (state restore at start-up). Expired records and addresses a client may not hold are
    /// skipped; a later record for the same address or IA wins. Returns how many were loaded.
    /// </summary>
    public int Restore(IEnumerable<Dhcp6Lease> leases, DateTimeOffset now)
    {
        var loaded = 0;
        foreach (var lease in leases)
        {
            if (lease.IsExpired(now) || lease.Address.AddressFamily != AddressFamily.InterNetworkV6 || !IsClientAddress(IpNetwork.ToInteger(lease.Address))) continue;
            _table.Put(lease);
            loaded++;
        }
        return loaded;
    }

    /// <summary>RFC 8415 §16: which identifiers each message must and must not carry, and whose server id it names.</summary>
    private string? Unservable(Dhcp6Message request)
    {
        var type = request.MessageType;
        if (type is Dhcp6MessageType.Advertise or Dhcp6MessageType.Reply or Dhcp6MessageType.Reconfigure) return $"a client does not send {type}";
        if (request.ClientId is null && type != Dhcp6MessageType.InformationRequest) return $"{type} without a client id";
        var serverIdNeeded = type is Dhcp6MessageType.Request or Dhcp6MessageType.Renew or Dhcp6MessageType.Release or Dhcp6MessageType.Decline;
        if (serverIdNeeded && request.ServerId is null) return $"{type} without a server id";
        if (type is Dhcp6MessageType.Solicit or Dhcp6MessageType.Rebind or Dhcp6MessageType.Confirm && request.ServerId is not null)
            return $"{type} with a server id";
        if (request.ServerId is { } id && !id.Equals(Scope.ServerId)) return $"{type} for server {id}";
        if (type == Dhcp6MessageType.InformationRequest && (request.IaNas.Count > 0 || request.HasOtherIa)) return "Information-request with an IA";
        if (request.IaNas.Count > MaximumIaNas) return $"{request.IaNas.Count} IA_NAs";
        return null;
    }

    /// <summary>An address a client may hold: in the subnet, and neither the bridge's nor the Subnet-Router anycast address.</summary>
    private bool IsClientAddress(UInt128 address) =>
        Scope.Subnet.Contains(IpNetwork.FromInteger(address, ipv6: true)) && address != _server && address != _subnetRouter;
}
