using System.Net;
using VirtualNetworking.Linux.Netlink;

namespace VirtualNetworking.Linux.Tests.Netlink;

public sealed class RouteTests : NetworkTest
{
    [SkippableFact]
    public void IPv4Routes_OnLinkAndViaGateway_AddListDelete()
    {
        var index = UpBridgeWith(IPAddress.Parse("10.77.0.1"), 24);
        var onLink = IPAddress.Parse("10.78.0.0");
        var viaGateway = IPAddress.Parse("10.79.0.0");
        var gateway = IPAddress.Parse("10.77.0.254");

        // The kernel's own route for the address's subnet, found through the dump of all tables.
        Assert.Contains(Client.GetRoutes(), r => r.Destination.Equals(IPAddress.Parse("10.77.0.0")) && r.PrefixLength == 24
            && r.Table == RouteTable.Main && r.Protocol == RouteProtocol.Kernel && r.Scope == RouteScope.Link && r.OutputLinkIndex == index);
        Assert.Contains(Client.GetRoutes(), r => r.Table == RouteTable.Local && r.Type == RouteType.Local
            && r.Destination.Equals(IPAddress.Parse("10.77.0.1")));
        // Skipping the local table keeps every other table's routes.
        var withoutLocal = Client.GetRoutes(includeLocalTable: false);
        Assert.DoesNotContain(withoutLocal, r => r.Table == RouteTable.Local);
        Assert.Equal(Client.GetRoutes().Where(r => r.Table != RouteTable.Local), withoutLocal);

        Client.AddRoute(onLink, 16, linkIndex: index, metric: 7);
        Client.AddRoute(viaGateway, 16, gateway: gateway);

        var direct = Assert.Single(Client.GetRoutes(), r => r.Destination.Equals(onLink));
        Assert.Equal((16, (IPAddress?)null, (int?)index, (uint?)7u, RouteTable.Main, RouteProtocol.Boot, RouteScope.Link, RouteType.Unicast),
            (direct.PrefixLength, direct.Gateway, direct.OutputLinkIndex, direct.Metric, direct.Table, direct.Protocol, direct.Scope, direct.Type));
        var routed = Assert.Single(Client.GetRoutes(), r => r.Destination.Equals(viaGateway));
        Assert.Equal(gateway, routed.Gateway);
        Assert.Equal(index, routed.OutputLinkIndex);
        Assert.Equal(RouteScope.Universe, routed.Scope);
        Assert.Contains("10.79.0.0/16 via 10.77.0.254", IpCommand.Run("route", "show"));

        Assert.Equal(Errno.EEXIST, Assert.Throws<NetlinkException>(() => Client.AddRoute(viaGateway, 16, gateway: gateway)).Errno);

        Client.DeleteRoute(onLink, 16, linkIndex: index);
        Client.DeleteRoute(viaGateway, 16, gateway: gateway);
        Assert.DoesNotContain(Client.GetRoutes(), r => r.Destination.Equals(onLink) || r.Destination.Equals(viaGateway));
        Assert.Equal(Errno.ESRCH, Assert.Throws<NetlinkException>(() => Client.DeleteRoute(viaGateway, 16)).Errno);
    }

    [SkippableFact]
    public void DefaultRouteViaGateway_AddListDelete()
    {
        UpBridgeWith(IPAddress.Parse("10.66.0.1"), 24);
        var gateway = IPAddress.Parse("10.66.0.254");

        Client.AddRoute(IPAddress.Any, 0, gateway: gateway);

        var route = Assert.Single(Client.GetRoutes(), r => r.PrefixLength == 0 && r.Table == RouteTable.Main && r.Destination.Equals(IPAddress.Any));
        Assert.Equal(gateway, route.Gateway);
        Assert.StartsWith("default via 10.66.0.254", IpCommand.Run("route", "show", "default"));

        Client.DeleteRoute(IPAddress.Any, 0, gateway: gateway);
        Assert.DoesNotContain(Client.GetRoutes(), r => r.PrefixLength == 0 && r.Table == RouteTable.Main && r.Destination.Equals(IPAddress.Any));
    }

    [SkippableFact]
    public void IPv6Routes_OnLinkAndViaGateway_AddListDelete()
    {
        var index = UpBridgeWith(IPAddress.Parse("fd00:77::1"), 64);
        var onLink = IPAddress.Parse("fd00:78::");
        var viaGateway = IPAddress.Parse("fd00:79::");
        var gateway = IPAddress.Parse("fd00:77::fe");

        Client.AddRoute(onLink, 64, linkIndex: index, metric: 300);
        Client.AddRoute(viaGateway, 64, gateway: gateway, linkIndex: index);

        var direct = Assert.Single(Client.GetRoutes(), r => r.Destination.Equals(onLink));
        Assert.Equal(64, direct.PrefixLength);
        Assert.Equal(index, direct.OutputLinkIndex);
        Assert.Equal(300u, direct.Metric);
        var routed = Assert.Single(Client.GetRoutes(), r => r.Destination.Equals(viaGateway));
        Assert.Equal(gateway, routed.Gateway);
        Assert.Contains("fd00:79::/64 via fd00:77::fe", IpCommand.Run("-6", "route", "show"));

        Client.DeleteRoute(onLink, 64, linkIndex: index, metric: 300);
        Client.DeleteRoute(viaGateway, 64, gateway: gateway);
        Assert.DoesNotContain(Client.GetRoutes(), r => r.Destination.Equals(onLink) || r.Destination.Equals(viaGateway));
    }

    /// <summary>A bridge with an address, up and with carrier (a veth port), so its routes are usable.</summary>
    private int UpBridgeWith(IPAddress address, int prefixLength)
    {
        var name = NewName("br");
        var port = NewName("ve");
        var peer = NewName("vp");
        Client.CreateBridge(name);
        Client.CreateVeth(port, peer);
        var index = RequireLink(name).Index;
        Client.SetMaster(RequireLink(port).Index, index);
        Client.SetLinkUp(RequireLink(peer).Index);
        Client.SetLinkUp(RequireLink(port).Index);
        Client.SetLinkUp(index);
        Client.AddAddress(index, address, prefixLength);
        return index;
    }
}
