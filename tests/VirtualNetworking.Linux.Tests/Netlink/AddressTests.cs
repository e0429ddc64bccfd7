using System.Net;
using System.Text.Json;
using VirtualNetworking.Linux.Netlink;

namespace VirtualNetworking.Linux.Tests.Netlink;

public sealed class AddressTests : NetworkTest
{
    [SkippableFact]
    public void IPv4Address_AddListDelete_WithBroadcast()
    {
        var index = NewBridge(out var name);
        var address = IPAddress.Parse("192.168.122.1");

        Client.AddAddress(index, address, 24);

        var listed = Assert.Single(Client.GetAddresses(), a => a.LinkIndex == index && a.Address.Equals(address));
        Assert.Equal(24, listed.PrefixLength);
        Assert.Equal(RouteScope.Universe, listed.Scope);
        var witness = AddressesOf(name).Single(a => a.GetProperty("family").GetString() == "inet");
        Assert.Equal("192.168.122.1", witness.GetProperty("local").GetString());
        Assert.Equal("192.168.122.255", witness.GetProperty("broadcast").GetString());

        Assert.Equal(Errno.EEXIST, Assert.Throws<NetlinkException>(() => Client.AddAddress(index, address, 24)).Errno);

        Client.DeleteAddress(index, address, 24);
        Assert.DoesNotContain(Client.GetAddresses(), a => a.LinkIndex == index && a.Address.Equals(address));
        Assert.Equal(Errno.EADDRNOTAVAIL, Assert.Throws<NetlinkException>(() => Client.DeleteAddress(index, address, 24)).Errno);
    }

    [SkippableFact]
    public void IPv6Address_AddListDelete()
    {
        var index = NewBridge(out var name);
        var address = IPAddress.Parse("fd00:1234::1");

        Client.AddAddress(index, address, 64);

        var listed = Assert.Single(Client.GetAddresses(), a => a.LinkIndex == index && a.Address.Equals(address));
        Assert.Equal(64, listed.PrefixLength);
        Assert.Contains(AddressesOf(name), a => a.GetProperty("local").GetString() == "fd00:1234::1" && a.GetProperty("prefixlen").GetInt32() == 64);

        Client.DeleteAddress(index, address, 64);
        Assert.DoesNotContain(Client.GetAddresses(), a => a.LinkIndex == index && a.Address.Equals(address));
    }

    private int NewBridge(out string name)
    {
        name = NewName("br");
        Client.CreateBridge(name);
        return RequireLink(name).Index;
    }

    private static IEnumerable<JsonElement> AddressesOf(string name) =>
        JsonDocument.Parse(IpCommand.Run("-j", "addr", "show", "dev", name)).RootElement[0].GetProperty("addr_info").EnumerateArray();
}
