using System.Net;
using System.Runtime.CompilerServices;
using System.Text;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>Builds OFFER/ACK/NAK packets and decides where they go (RFC 2131 §4.1, §4.3.1 table 3).</summary>
internal static class DhcpReplyBuilder
{
    /// <summary>RFC 2131 §2: every client must accept 576-byte messages; 28 bytes of it are IP and UDP headers.</summary>
    private const int MinimumMessageSize = 576;
    private const int IpUdpHeaders = 28;

    /// <summary>
    /// Options a client gets only when it asks for them in option 55 (dnsmasq does the same for the first three); a
    /// search list is left to clients that know option 119, as option 15 already names the domain for the others.
    /// </summary>
    private static readonly byte[] OnRequestOnly =
        [DhcpOptionCode.InterfaceMtu, DhcpOptionCode.TftpServerName, DhcpOptionCode.BootFileName, DhcpOptionCode.DomainSearch];

    public static DhcpReply Offer(DhcpScope scope, DhcpPacket request, IPAddress address, string? reservedName) =>
        Route(Configured(scope, request, DhcpMessageType.Offer, address, IPAddress.Any, withLease: true, reservedName), request);

    public static DhcpReply Ack(DhcpScope scope, DhcpPacket request, IPAddress address, string? reservedName) =>
        Route(Configured(scope, request, DhcpMessageType.Ack, address, request.ClientAddress, withLease: true, reservedName), request);

    /// <summary>RFC 2131 §4.3.5: an INFORM ACK carries configuration but no yiaddr and no lease time.</summary>
    public static DhcpReply InformAck(DhcpScope scope, DhcpPacket request) =>
        Route(Configured(scope, request, DhcpMessageType.Ack, IPAddress.Any, request.ClientAddress, withLease: false, null), request);

    public static DhcpReply Nak(DhcpScope scope, DhcpPacket request, string message)
    {
        var reply = Skeleton(scope, request, DhcpMessageType.Nak);
        reply.Options.SetString(DhcpOptionCode.Message, message);
        EchoClientId(request, reply);
        // RFC 2131 §4.3.2: through a relay the NAK must be broadcast on the client's segment.
        if (!IsZero(request.RelayAddress)) reply.IsBroadcast = true;
        return Route(reply, request, isNak: true);
    }

    private static DhcpPacket Skeleton(DhcpScope scope, DhcpPacket request, DhcpMessageType type)
    {
        var reply = new DhcpPacket
        {
            Op = DhcpPacket.BootReply,
            HardwareType = request.HardwareType,
            HardwareAddressLength = request.HardwareAddressLength,
            TransactionId = request.TransactionId,
            Flags = request.Flags,
            RelayAddress = request.RelayAddress,
            ClientHardwareBytes = (byte[])request.ClientHardwareBytes.Clone(),
            MessageType = type,
        };
        reply.Options.SetAddress(DhcpOptionCode.ServerIdentifier, scope.ServerAddress);
        return reply;
    }

    private static DhcpPacket Configured(DhcpScope scope, DhcpPacket request, DhcpMessageType type,
        IPAddress yourAddress, IPAddress clientAddress, bool withLease, string? reservedName)
    {
        var reply = Skeleton(scope, request, type);
        reply.YourAddress = yourAddress;
        reply.ClientAddress = clientAddress;
        if (scope.BootFileName is { } file)
        {
            reply.BootFileName = file;
            reply.NextServerAddress = scope.NextServer ?? scope.ServerAddress;
        }
        if (withLease) AddLeaseTimes(scope.LeaseTime, reply.Options);

        // Wire order: what the client listed in option 55 first, in its order, then the rest by code.
        var available = ScopeOptions.GetValue(scope, BuildScopeOptions);
        var hostName = string.IsNullOrEmpty(reservedName) ? null : Encoding.Latin1.GetBytes(reservedName);
        var requested = request.ParameterRequestList;

        // Option 57 may allow more than 576 bytes, never less; what does not fit is left out, never truncated.
        var budget = Math.Max(MinimumMessageSize, (int)(request.MaximumMessageSize ?? 0)) - IpUdpHeaders
                     - reply.UnpaddedLength - ClientIdLength(request);
        var used = 0;
        Span<bool> listed = stackalloc bool[256];
        foreach (var code in requested)
        {
            if (listed[code]) continue;
            listed[code] = true;
            var value = code == DhcpOptionCode.HostName ? hostName : Find(available, code);
            if (value is not null) Add(code, value);
        }
        var hostNamePending = hostName is not null;
        foreach (var (code, value) in available)
        {
            if (hostNamePending && DhcpOptionCode.HostName < code)
            {
                Unlisted(DhcpOptionCode.HostName, hostName!, listed);
                hostNamePending = false;
            }
            Unlisted(code, value, listed);
        }
        if (hostNamePending) Unlisted(DhcpOptionCode.HostName, hostName!, listed);
        EchoClientId(request, reply);
        return reply;

        void Add(byte code, byte[] value)
        {
            var length = DhcpOptions.WireLength(value);
            if (used + length > budget) return;
            reply.Options.Set(code, value);
            used += length;
        }

        void Unlisted(byte code, byte[] value, ReadOnlySpan<bool> listed)
        {
            if (!listed[code] && (requested.Length == 0 || !OnRequestOnly.Contains(code))) Add(code, value);
        }
    }

    private static byte[]? Find(KeyValuePair<byte, byte[]>[] options, byte code)
    {
        foreach (var (c, value) in options)
            if (c == code) return value;
        return null;
    }

    private static void AddLeaseTimes(TimeSpan? leaseTime, DhcpOptions options)
    {
        if (leaseTime is not { } t) { options.SetUInt32(DhcpOptionCode.LeaseTime, uint.MaxValue); return; }
        var seconds = (uint)t.TotalSeconds;
        options.SetUInt32(DhcpOptionCode.LeaseTime, seconds);
        options.SetUInt32(DhcpOptionCode.RenewalTime, seconds / 2);
        options.SetUInt32(DhcpOptionCode.RebindingTime, (uint)(seconds * 7UL / 8));
    }

    /// <summary>
    /// A scope's options other than a reservation's host name, by code, built once per scope: every reply of
    /// the scope shares the value arrays (replies are written, never changed in place).
    /// </summary>
    private static readonly ConditionalWeakTable<DhcpScope, KeyValuePair<byte, byte[]>[]> ScopeOptions = new();

    private static KeyValuePair<byte, byte[]>[] BuildScopeOptions(DhcpScope scope)
    {
        var o = new DhcpOptions();
        o.SetAddress(DhcpOptionCode.SubnetMask, scope.Subnet.SubnetMask);
        if (scope.Router is { } router) o.SetAddress(DhcpOptionCode.Router, router);
        if (scope.DnsServers.Count > 0) o.SetAddresses(DhcpOptionCode.DomainNameServer, scope.DnsServers);
        if (!string.IsNullOrEmpty(scope.DomainName)) o.SetString(DhcpOptionCode.DomainName, scope.DomainName);
        if (scope.DomainSearch.Count > 0) o.SetDomainNames(DhcpOptionCode.DomainSearch, scope.DomainSearch);
        if (scope.Mtu is { } mtu) o.SetUInt16(DhcpOptionCode.InterfaceMtu, (ushort)mtu);
        o.SetAddress(DhcpOptionCode.BroadcastAddress, scope.EffectiveBroadcastAddress);
        if (scope.BootFileName is { } file)
        {
            o.SetString(DhcpOptionCode.TftpServerName, (scope.NextServer ?? scope.ServerAddress).ToString());
            o.SetString(DhcpOptionCode.BootFileName, file);
        }
        return [.. o.Entries.OrderBy(e => e.Key)];
    }

    /// <summary>RFC 6842: the client identifier is echoed in every reply.</summary>
    private static void EchoClientId(DhcpPacket request, DhcpPacket reply)
    {
        if (request.ClientIdentifier is { } id) reply.Options.Set(DhcpOptionCode.ClientIdentifier, id);
    }

    private static int ClientIdLength(DhcpPacket request) =>
        request.ClientIdentifier is { } id ? DhcpOptions.WireLength(id) : 0;

    private static DhcpReply Route(DhcpPacket reply, DhcpPacket request, bool isNak = false)
    {
        DhcpReplyDestination destination =
            !IsZero(request.RelayAddress) ? new(DhcpReplyRoute.Relay, request.RelayAddress, DhcpPacket.ServerPort, null)
            : isNak ? new(DhcpReplyRoute.Broadcast, IPAddress.Broadcast, DhcpPacket.ClientPort, null)
            : !IsZero(request.ClientAddress) ? new(DhcpReplyRoute.ClientAddress, request.ClientAddress, DhcpPacket.ClientPort, null)
            : request.IsBroadcast ? new(DhcpReplyRoute.Broadcast, IPAddress.Broadcast, DhcpPacket.ClientPort, null)
            : new(DhcpReplyRoute.ClientHardware, reply.YourAddress, DhcpPacket.ClientPort, request.ClientHardwareAddress);
        return new DhcpReply(reply, destination);
    }

    internal static bool IsZero(IPAddress address) => address.Equals(IPAddress.Any);
}
