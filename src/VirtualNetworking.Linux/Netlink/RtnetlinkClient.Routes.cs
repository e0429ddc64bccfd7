using System.Runtime.InteropServices;
using System.Net;

namespace VirtualNetworking.Linux.Netlink;

public sealed partial class RtnetlinkClient
{
    /// <summary>
    /// Routes of both families in all tables (main, local, …); callers filter by <see cref="RouteInfo.Table"/>.
    /// Without <paramref name="includeLocalTable"/> the local table's entries (two or three per address: most of a
    /// dump on a host with many bridges) are skipped before their attributes are read.
    /// </summary>
    public IReadOnlyList<RouteInfo> GetRoutes(bool includeLocalTable = true)
    {
        var request = new NetlinkMessageWriter(NetlinkMessageType.GetRoute, NetlinkFlags.Dump).Write(new RouteMessage());
        return [.. Send(request, "list routes")
            .Where(m => m.Type == NetlinkMessageType.NewRoute && (includeLocalTable || !IsLocalTable(m)))
            .Select(ParseRoute)
            .OfType<RouteInfo>()];
    }

    /// <summary>rtm_table holds ids up to 255 (local is 255); larger ids come as RT_TABLE_COMPAT plus RTA_TABLE.</summary>
    private static bool IsLocalTable(NetlinkMessage message) =>
        message.Payload.Length >= Marshal.SizeOf<RouteMessage>() && MemoryMarshal.Read<RouteMessage>(message.Payload.Span).Table == RouteTable.Local;

    /// <summary>
    /// Adds a unicast route (protocol "boot", as <c>ip route add</c>). Without a gateway the route is on-link
    /// (scope link) and needs <paramref name="linkIndex"/>.
    /// </summary>
    public void AddRoute(IPAddress destination, int prefixLength, IPAddress? gateway = null, int? linkIndex = null,
        uint? metric = null, uint table = RouteTable.Main)
    {
        var request = RouteRequest(NetlinkMessageType.NewRoute, NetlinkFlags.Create | NetlinkFlags.Exclusive, destination, prefixLength,
            gateway, linkIndex, metric, table, RouteProtocol.Boot, gateway is null ? RouteScope.Link : RouteScope.Universe, RouteType.Unicast);
        Send(request, $"add route {destination}/{prefixLength}{Via(gateway, linkIndex)}");
    }

    /// <summary>Deletes the route matching the given fields; unset fields match any value.</summary>
    public void DeleteRoute(IPAddress destination, int prefixLength, IPAddress? gateway = null, int? linkIndex = null,
        uint? metric = null, uint table = RouteTable.Main)
    {
        // Scope "nowhere" and type/protocol 0 make the kernel match any scope, type and protocol, as ip route del does.
        var request = RouteRequest(NetlinkMessageType.DeleteRoute, 0, destination, prefixLength,
            gateway, linkIndex, metric, table, RouteProtocol.Unspecified, RouteScope.Nowhere, RouteType.Unspecified);
        Send(request, $"delete route {destination}/{prefixLength}{Via(gateway, linkIndex)}");
    }

    private static NetlinkMessageWriter RouteRequest(ushort type, ushort flags, IPAddress destination, int prefixLength,
        IPAddress? gateway, int? linkIndex, uint? metric, uint table, RouteProtocol protocol, RouteScope scope, RouteType routeType)
    {
        var family = FamilyOf(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, destination.GetAddressBytes().Length * 8);
        if (gateway is not null && FamilyOf(gateway) != family)
        {
            throw new ArgumentException($"Gateway {gateway} is not of the family of {destination}.", nameof(gateway));
        }
        var request = new NetlinkMessageWriter(type, flags).Write(new RouteMessage
        {
            Family = family,
            DestinationLength = (byte)prefixLength,
            // rtm_table holds only 8 bits; RTA_TABLE carries the full id.
            Table = table < 256 ? (byte)table : (byte)0,
            Protocol = (byte)protocol,
            Scope = (byte)scope,
            Type = (byte)routeType,
        });
        request.Attribute(RouteAttribute.Table, table);
        if (prefixLength > 0)
        {
            request.Attribute(RouteAttribute.Destination, destination);
        }
        if (gateway is not null)
        {
            request.Attribute(RouteAttribute.Gateway, gateway);
        }
        if (linkIndex is { } index)
        {
            request.Attribute(RouteAttribute.OutputInterface, (uint)index);
        }
        if (metric is { } priority)
        {
            request.Attribute(RouteAttribute.Priority, priority);
        }
        return request;
    }

    private static string Via(IPAddress? gateway, int? linkIndex) =>
        (gateway is null ? "" : $" via {gateway}") + (linkIndex is null ? "" : $" dev {linkIndex}");

    /// <summary>An IPv4 or IPv6 route; null for other families (e.g. MPLS) that a dump may hold.</summary>
    private static RouteInfo? ParseRoute(NetlinkMessage message)
    {
        var header = message.ReadHeader<RouteMessage>(out var attributes);
        if (header.Family is not (LinuxAddressFamily.Inet or LinuxAddressFamily.Inet6))
        {
            return null;
        }
        var outputLink = attributes.GetUInt32(RouteAttribute.OutputInterface);
        return new RouteInfo(
            attributes.GetIpAddress(RouteAttribute.Destination) ?? (header.Family == LinuxAddressFamily.Inet6 ? IPAddress.IPv6Any : IPAddress.Any),
            header.DestinationLength,
            attributes.GetIpAddress(RouteAttribute.Gateway),
            outputLink is null ? null : (int)outputLink,
            attributes.GetUInt32(RouteAttribute.Priority),
            attributes.GetIpAddress(RouteAttribute.PreferredSource),
            attributes.GetUInt32(RouteAttribute.Table) ?? header.Table,
            (RouteProtocol)header.Protocol,
            (RouteScope)header.Scope,
            (RouteType)header.Type);
    }
}
