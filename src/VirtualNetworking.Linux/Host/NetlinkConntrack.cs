using System.Buffers.Binary;
using System.Net;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Linux.Interop;
using VirtualNetworking.Linux.Netlink;
using static VirtualNetworking.Linux.Host.KernelCalls;

namespace VirtualNetworking.Linux.Host;

/// <summary>
/// The calling namespace's conntrack table over ctnetlink (NETLINK_NETFILTER): one socket per call, a dump of one
/// family, then one delete per selected entry. Where the kernel tracks nothing (nf_conntrack or nfnetlink not loaded)
/// there is nothing to forget.
/// </summary>
public sealed class NetlinkConntrack : IConntrack
{
    public int Delete(byte protocol, bool ipv6, Func<ConntrackEntry, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        using var socket = Open();
        if (socket is null) return 0;
        // Selected from a finished dump: deleting while the kernel walks its table could skip or repeat entries.
        var selected = Dump(socket, protocol, ipv6).Where(e => match(e.Entry)).ToList();
        return selected.Count(e => Forget(socket, e, ipv6));
    }

    /// <summary>The entries of one protocol and family, as <see cref="Delete"/> offers them to its predicate.</summary>
    internal IReadOnlyList<ConntrackEntry> List(byte protocol, bool ipv6)
    {
        using var socket = Open();
        return socket is null ? [] : [.. Dump(socket, protocol, ipv6).Select(e => e.Entry)];
    }

    /// <summary>An entry with what its delete request needs: the original tuple as the kernel sent it, and its zone.</summary>
    private sealed record TrackedEntry(ConntrackEntry Entry, ReadOnlyMemory<byte> OriginalTuple, ReadOnlyMemory<byte>? Zone);

    /// <summary>A ctnetlink socket, or null where the kernel has no nfnetlink (no protocol 12).</summary>
    private static NetlinkSocket? Open()
    {
        try { return new NetlinkSocket(protocol: LibC.NETLINK_NETFILTER); }
        catch (NetlinkException e) when (e.Errno == Errno.EPROTONOSUPPORT) { return null; }
        catch (NetlinkException e) { throw Problem("open the connection tracking table", e, ProblemCategory.ReadError); }
    }

    private static List<TrackedEntry> Dump(NetlinkSocket socket, byte protocol, bool ipv6)
    {
        var what = $"list the {(ipv6 ? "IPv6" : "IPv4")} connection tracking table";
        var request = new NetlinkMessageWriter(ConntrackMessageType.Get, NetlinkFlags.Dump).Write(Header(ipv6));
        try
        {
            return [.. socket.Request(request, what)
                .Where(m => m.Type == ConntrackMessageType.New)
                .Select(Parse).OfType<TrackedEntry>()
                .Where(e => e.Entry.Protocol == protocol)];
        }
        // No ctnetlink (nf_conntrack_netlink not loaded and not loadable): the kernel tracks no connection for us to forget.
        catch (NetlinkException e) when (e.Errno is Errno.ENOENT or Errno.EOPNOTSUPP) { return []; }
        catch (NetlinkException e) { throw Problem(what, e, ProblemCategory.ReadError); }
    }

    /// <summary>True when the entry went; false when it had already ended (ENOENT).</summary>
    private static bool Forget(NetlinkSocket socket, TrackedEntry tracked, bool ipv6)
    {
        var original = tracked.Entry.Original;
        var what = $"forget the tracked connection {Endpoint(original.Source, original.SourcePort)} -> " +
                   $"{Endpoint(original.Destination, original.DestinationPort)} (protocol {tracked.Entry.Protocol})";
        var request = new NetlinkMessageWriter(ConntrackMessageType.Delete, 0).Write(Header(ipv6))
            .Attribute(ConntrackAttribute.TupleOriginal | NetlinkAttributeFlags.Nested, tracked.OriginalTuple.Span);
        if (tracked.Zone is { } zone) request.Attribute(ConntrackAttribute.Zone, zone.Span);
        try
        {
            socket.Request(request, what);
            return true;
        }
        catch (NetlinkException e) when (e.Errno == Errno.ENOENT) { return false; }
        catch (NetlinkException e) { throw Problem(what, e, ProblemCategory.InvalidOperation); }
    }

    private static NetfilterGenericMessage Header(bool ipv6) =>
        new() { Family = ipv6 ? LinuxAddressFamily.Inet6 : LinuxAddressFamily.Inet };

    /// <summary>One dumped entry, or null when it lacks a tuple (not one of the connections a predicate could select).</summary>
    private static TrackedEntry? Parse(NetlinkMessage message)
    {
        message.ReadHeader<NetfilterGenericMessage>(out var attributes);
        if (!attributes.TryGet(ConntrackAttribute.TupleOriginal, out var originalBytes)) return null;
        var original = ParseTuple(NetlinkAttributes.Parse(originalBytes), out var protocol);
        var reply = attributes.GetNested(ConntrackAttribute.TupleReply) is { } replyAttributes ? ParseTuple(replyAttributes, out _) : null;
        if (original is null || reply is null || protocol is null) return null;
        // Typed nullable on purpose: a bare null would become an empty ReadOnlyMemory (via byte[]), an empty CTA_ZONE.
        var zone = attributes.TryGet(ConntrackAttribute.Zone, out var zoneBytes) ? (ReadOnlyMemory<byte>?)zoneBytes : null;
        return new TrackedEntry(new ConntrackEntry(protocol.Value, original, reply), originalBytes, zone);
    }

    /// <summary>CTA_TUPLE_IP and CTA_TUPLE_PROTO; ports are 0 for protocols without them (ICMP).</summary>
    private static ConntrackTuple? ParseTuple(NetlinkAttributes tuple, out byte? protocol)
    {
        var ip = tuple.GetNested(ConntrackTupleAttribute.Ip);
        var ports = tuple.GetNested(ConntrackTupleAttribute.Protocol);
        protocol = ports?.GetByte(ConntrackProtocolAttribute.Number);
        var source = ip?.GetIpAddress(ConntrackIpAttribute.V4Source) ?? ip?.GetIpAddress(ConntrackIpAttribute.V6Source);
        var destination = ip?.GetIpAddress(ConntrackIpAttribute.V4Destination) ?? ip?.GetIpAddress(ConntrackIpAttribute.V6Destination);
        if (source is null || destination is null || ports is null) return null;
        return new ConntrackTuple(source, destination, Port(ports, ConntrackProtocolAttribute.SourcePort), Port(ports, ConntrackProtocolAttribute.DestinationPort));
    }

    /// <summary>A port attribute, in network byte order on the wire.</summary>
    private static int Port(NetlinkAttributes ports, ushort type) =>
        ports.TryGet(type, out var value) && value.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(value.Span) : 0;

    private static string Endpoint(IPAddress address, int port) => new IPEndPoint(address, port).ToString();
}
