using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Tests.Fakes;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Engine;

/// <summary>Initialize-VNetworkHost's choice of subnet and bridge for 'default', against fake host state.</summary>
public sealed class DefaultNetworkRequestTests
{
    private readonly TestHost test = new();
    private readonly FakeHost host;
    private readonly MemoryDefinitionStore definitions;
    private readonly MemoryLiveNetworkStore live;

    public DefaultNetworkRequestTests()
    {
        (host, definitions, live) = (test.Host, test.Definitions, test.Live);
        host.AddLink("lo", null, null, 65536);
        host.AddLink("eth0", "veth");
        host.AddAddress("eth0", IpNetwork.Parse("203.0.113.2/24"));
        host.AddRoute("eth0", IpNetwork.Parse("0.0.0.0/0"), System.Net.IPAddress.Parse("203.0.113.1"), 100);
    }

    private NetworkCatalog Catalog() => new(test.Ports());

    [Fact]
    public void On_a_free_host_it_is_libvirts_default_network()
    {
        var request = Catalog().DefaultNetworkRequest();

        Assert.Equal("default", request.Name);
        Assert.Equal(NetworkMode.Nat, request.Mode);
        Assert.Equal(IpNetwork.Parse("192.168.122.0/24"), request.Subnet);
        Assert.Equal("virbr0", request.BridgeName);
        Assert.True(request.Autostart);
        Assert.False(request.NoDhcp);
    }

    [Theory]
    [InlineData("192.168.122.7/24")] // an address in the subnet
    [InlineData("192.168.0.1/16")]   // a wider subnet around it
    public void A_host_address_overlapping_the_subnet_leaves_it_to_allocation_but_keeps_the_bridge(string address)
    {
        host.AddAddress("eth0", IpNetwork.Parse(address));

        var request = Catalog().DefaultNetworkRequest();

        Assert.Null(request.Subnet);
        Assert.Equal("virbr0", request.BridgeName);
    }

    [Fact]
    public void A_host_route_into_the_subnet_leaves_it_to_allocation()
    {
        host.AddRoute("eth0", IpNetwork.Parse("192.168.122.128/25"), System.Net.IPAddress.Parse("203.0.113.9"), null);

        Assert.Null(Catalog().DefaultNetworkRequest().Subnet);
    }

    [Fact]
    public void A_host_link_named_virbr0_leaves_the_bridge_to_allocation_but_keeps_the_subnet()
    {
        host.AddLink("virbr0", "bridge");

        var request = Catalog().DefaultNetworkRequest();

        Assert.Null(request.BridgeName);
        Assert.Equal(IpNetwork.Parse("192.168.122.0/24"), request.Subnet);
    }

    [Fact]
    public void A_defined_network_holding_subnet_and_bridge_leaves_both_to_allocation()
    {
        definitions.Save(NetworkXml.Parse("""
            <network><name>lab</name><forward mode='nat'/><bridge name='virbr0'/>
            <ip address='192.168.122.1' netmask='255.255.255.0'/></network>
            """));

        var request = Catalog().DefaultNetworkRequest();

        Assert.Null(request.Subnet);
        Assert.Null(request.BridgeName);
    }

    [Fact]
    public void A_running_transient_network_counts_like_a_defined_one()
    {
        var transient = NetworkXml.Parse("""
            <network><name>temp</name><forward mode='nat'/><bridge name='virbr0'/>
            <ip address='192.168.122.1' netmask='255.255.255.0'/></network>
            """);
        live.BeginStart(transient);
        live.MarkActive("temp", transient: true);

        var request = Catalog().DefaultNetworkRequest();

        Assert.Null(request.Subnet);
        Assert.Null(request.BridgeName);
    }

    [Fact]
    public void Defining_it_when_the_subnet_is_taken_allocates_another_subnet_and_keeps_dhcp()
    {
        host.AddAddress("eth0", IpNetwork.Parse("192.168.122.7/24"));
        var catalog = Catalog();

        var record = catalog.Create(catalog.DefaultNetworkRequest());

        var ip = Assert.Single(record.Definition.Ips);
        Assert.False(IpNetwork.Parse($"{ip.Address}/24").Canonical.Overlaps(IpNetwork.Parse("192.168.122.0/24")));
        Assert.NotNull(ip.Dhcp);
        Assert.Equal("virbr0", record.Definition.Bridge?.Name);
    }
}
