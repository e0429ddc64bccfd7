using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Tests.Fakes;

namespace VirtualNetworking.Core.Tests.Engine;

/// <summary>New-VNetwork -Subnet with an IPv6 prefix: alone, or alongside an IPv4 subnet (dual stack).</summary>
public sealed class NetworkRequestBuilderTests
{
    private static NetworkDefinition Build(string subnets, string[]? range = null, bool noDhcp = false) =>
        NetworkRequestBuilder.Build(NetworkRequest.FromParameters("lab", NetworkMode.Nat, subnets.Split(','), range, noDhcp, "labbr0", null, null, null, null, null, false, false),
            () => throw new InvalidOperationException("no free subnet is needed"));

    private static string Describe(IpDefinition ip) =>
        $"{ip.Address}/{ip.Prefix?.ToString() ?? ip.Netmask?.ToString()} {string.Join(" ", ip.Dhcp?.Ranges.Select(r => $"{r.Start}-{r.End}") ?? [])}".TrimEnd();

    [Fact]
    public void A_dual_stack_network_has_the_first_host_of_each_subnet_and_dhcp_for_ipv4_only()
    {
        var d = Build("fd00:5::/64,10.0.5.0/24");

        Assert.Equal(["10.0.5.1/255.255.255.0 10.0.5.2-10.0.5.254", "fd00:5::1/64"], d.Ips.Select(Describe));
        Assert.Equal("ipv6", d.Ips[1].Family);
    }

    [Fact]
    public void A_range_goes_to_the_subnet_of_its_family_and_ipv4_keeps_its_whole_range_beside_an_ipv6_one()
    {
        Assert.Equal(["10.0.5.1/255.255.255.0 10.0.5.10-10.0.5.99", "fd00:5::1/64"], Build("10.0.5.0/24,fd00:5::/64", ["10.0.5.10", "10.0.5.99"]).Ips.Select(Describe));
        Assert.Equal(["10.0.5.1/255.255.255.0 10.0.5.2-10.0.5.254", "fd00:5::1/64 fd00:5::10-fd00:5::ff"],
            Build("10.0.5.0/24,fd00:5::/64", ["fd00:5::10", "fd00:5::ff"]).Ips.Select(Describe));
    }

    [Fact]
    public void No_dhcp_leaves_a_dual_stack_network_without_any_range()
    {
        Assert.Equal(["10.0.5.1/255.255.255.0", "fd00:5::1/64"], Build("10.0.5.0/24,fd00:5::/64", noDhcp: true).Ips.Select(Describe));
    }

    [Fact]
    public void An_ipv6_prefix_alone_makes_an_ipv6_only_network_with_dhcp_only_when_asked()
    {
        Assert.Equal(["fd00:5::1/64"], Build("fd00:5::/64").Ips.Select(Describe));
        Assert.Equal(["fd00:5::1/64 fd00:5::10-fd00:5::ff"], Build("fd00:5::/64", ["fd00:5::10", "fd00:5::ff"]).Ips.Select(Describe));
    }

    [Fact]
    public void Without_an_ipv6_prefix_a_network_stays_ipv4_only_with_its_free_subnet()
    {
        var d = NetworkRequestBuilder.Build(new NetworkRequest { Name = "lab", BridgeName = "labbr0" }, () => IpNetwork.Parse("192.168.122.0/24"));
        Assert.Equal(["192.168.122.1/255.255.255.0 192.168.122.2-192.168.122.254"], d.Ips.Select(Describe));
    }

    [Fact]
    public void A_dual_stack_network_is_defined_and_started_with_both_addresses_on_its_bridge()
    {
        var test = new TestHost();
        var catalog = new NetworkCatalog(test.Ports());
        catalog.Create(NetworkRequest.FromParameters("lab", NetworkMode.Nat, ["10.0.5.0/24", "fd00:5::/64"], null, false, "labbr0", null, null, null, null, null, false, false));

        new NetworkRuntime(test.Ports()).Start("lab");

        Assert.Contains(("labbr0", IpNetwork.Parse("10.0.5.1/24")), test.Host.Addrs);
        Assert.Contains(("labbr0", IpNetwork.Parse("fd00:5::1/64")), test.Host.Addrs);
        Assert.Equal("0", test.Host.Sysctls["net/ipv6/conf/labbr0/disable_ipv6"]);
    }

    [Fact]
    public void An_ipv6_prefix_that_overlaps_another_networks_is_refused_and_nothing_is_stored()
    {
        var test = new TestHost();
        var catalog = new NetworkCatalog(test.Ports());
        catalog.Create(NetworkRequest.FromParameters("one", NetworkMode.Nat, ["fd00:5::/64"], null, false, "onebr0", null, null, null, null, null, false, false));
        var before = test.Definitions.LoadAll().Count;

        var e = Assert.Throws<NetworkProblemException>(() =>
            catalog.Create(NetworkRequest.FromParameters("two", NetworkMode.Nat, ["10.0.5.0/24", "fd00:5::/48"], null, false, "twobr0", null, null, null, null, null, false, false)));

        Assert.Equal(ErrorIds.SubnetInUse, e.First.ErrorId);
        Assert.Contains("fd00:5::/48", e.First.Message);
        Assert.Equal(before, test.Definitions.LoadAll().Count);
    }
}
