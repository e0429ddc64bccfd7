using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Health;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Tests.Fakes;
using VirtualNetworking.Core.Xml;
using static VirtualNetworking.Core.Health.HealthCheckIds;

namespace VirtualNetworking.Core.Tests.Health;

/// <summary>
/// Health over the fake host: a network started by the runtime, then broken one way at a time. The firewall audit and
/// the foreign-firewall analysis have tests of their own; here the ruleset is unreadable (a Warning) unless set.
/// </summary>
public sealed class NetworkHealthTests
{
    private const string Nat = """
        <network><name>lab</name><uuid>927f4393-3e4e-4a94-9e42-67c4ebe45555</uuid><forward mode='nat'/>
        <bridge name='vlab0'/><mac address='52:54:00:b8:c9:9d'/>
        <ip address='10.50.0.1' prefix='24'><dhcp><range start='10.50.0.10' end='10.50.0.99'/></dhcp></ip></network>
        """;

    private static readonly string[] Own = [NetworkActive, BridgePresent, BridgeUp, BridgeAddresses, BridgeMacAddress, FirewallRules, Forwarding, DaemonRunning, DhcpServed, Dhcp6Served, DnsServed, RouterAdvertisementsServed, SubnetCollision, AcceptRa];

    private readonly TestHost test = new();
    private readonly FakeHealthProbe probe = new();

    public NetworkHealthTests()
    {
        test.Host.AddLink("lo", null, null, 65536);
        test.Host.AddLink("eth0", "veth");
        test.Host.AddAddress("eth0", IpNetwork.Parse("203.0.113.2/24"));
    }

    private void Start(string xml)
    {
        var definition = NetworkXml.Parse(xml);
        test.Definitions.Save(definition);
        new NetworkRuntime(test.Ports()).Start(definition.Name);
        var bridge = test.Host.GetLink(definition.Bridge!.Name!)!;
        probe.Served!.Add(new ServedNetwork(definition.Name, bridge.Name, bridge.Index, Dhcp: xml.Contains("<dhcp>"), Dns: !xml.Contains("enable='no'"),
            RouterAdvertisements: xml.Contains("ipv6")));
    }

    private Dictionary<string, HealthResult> Check(string name = "lab")
    {
        var ports = test.Ports();
        return new NetworkHealth(ports, new NetworkCatalog(ports), probe).Check(name).Where(r => Own.Contains(r.Check)).ToDictionary(r => r.Check);
    }

    private static string[] Failing(Dictionary<string, HealthResult> results) =>
        [.. results.Values.Where(r => r.Status == HealthStatus.Fail).Select(r => r.Check)];

    [Fact]
    public void A_started_nat_network_passes_every_check_in_a_stable_order()
    {
        Start(Nat);
        var results = Check();

        Assert.Equal([NetworkActive, BridgePresent, BridgeUp, BridgeAddresses, BridgeMacAddress, FirewallRules, Forwarding, DaemonRunning, DhcpServed, DnsServed, SubnetCollision], results.Keys);
        Assert.Empty(Failing(results));
        Assert.Equal(HealthStatus.Warning, results[FirewallRules].Status); // the fake has no ruleset to read
        Assert.All(results.Values, r => Assert.Equal("lab", r.Network));
        Assert.All(results.Values.Where(r => r.Status == HealthStatus.Pass), r => Assert.Null(r.Remedy));
    }

    [Fact]
    public void An_isolated_network_without_dns_has_no_forwarding_or_dns_check()
    {
        Start(Nat.Replace("<forward mode='nat'/>", "").Replace("<mac address", "<dns enable='no'/><mac address"));

        var results = Check();

        Assert.DoesNotContain(Forwarding, results.Keys);
        Assert.DoesNotContain(DnsServed, results.Keys);
        Assert.Contains(DhcpServed, results.Keys);
    }

    [Fact]
    public void A_network_with_ipv6_checks_that_vnetd_sends_its_router_advertisements()
    {
        Start(Nat.Replace("</ip></network>", "</ip><ip family='ipv6' address='fd00:50::1' prefix='64'/></network>"));
        test.Host.Sysctls["net/ipv6/conf/all/forwarding"] = "1";

        var results = Check();
        Assert.Equal([DaemonRunning, DhcpServed, DnsServed, RouterAdvertisementsServed], results.Keys.Where(k => k is DaemonRunning or DhcpServed or DnsServed or RouterAdvertisementsServed));
        Assert.Empty(Failing(results));
        Assert.Equal("vnetd serves router advertisements on vlab0.", results[RouterAdvertisementsServed].Detail);

        probe.Served![0] = probe.Served[0] with { RouterAdvertisements = false };
        var failed = Check()[RouterAdvertisementsServed];
        Assert.Equal(HealthStatus.Fail, failed.Status);
        Assert.Equal("vnetd does not serve router advertisements on network 'lab': guests get no IPv6 address by autoconfiguration and no IPv6 default route through the bridge.", failed.Detail);
        Assert.DoesNotContain(Dhcp6Served, results.Keys); // no IPv6 <dhcp> block
    }

    [Fact]
    public void A_network_with_an_ipv6_dhcp_block_checks_that_vnetd_serves_its_dhcpv6()
    {
        Start(Nat.Replace("</ip></network>", "</ip><ip family='ipv6' address='fd00:50::1' prefix='64'><dhcp><range start='fd00:50::10' end='fd00:50::99'/></dhcp></ip></network>"));
        test.Host.Sysctls["net/ipv6/conf/all/forwarding"] = "1";
        probe.Served![0] = probe.Served[0] with { Dhcp6 = true };

        var results = Check();
        Assert.Empty(Failing(results));
        Assert.Equal("vnetd serves DHCPv6 on vlab0.", results[Dhcp6Served].Detail);

        probe.Served![0] = probe.Served[0] with { Dhcp6 = false };
        var failed = Check()[Dhcp6Served];
        Assert.Equal(HealthStatus.Fail, failed.Status);
        Assert.Equal("vnetd does not serve DHCPv6 on network 'lab': new guests get no IPv6 address from the range and leases are not renewed.", failed.Detail);
        Assert.Equal("Repair-VNetwork -Name 'lab' serves it again.", failed.Remedy);
    }

    [Fact]
    public void An_inactive_network_fails_one_check_and_an_unknown_one_is_not_found()
    {
        test.Definitions.Save(NetworkXml.Parse(Nat));

        var results = Check();

        Assert.Equal([NetworkActive], results.Keys);
        Assert.Equal(HealthStatus.Fail, results[NetworkActive].Status);
        Assert.Equal("Start-VNetwork -Name 'lab'.", results[NetworkActive].Remedy);
        var e = Assert.Throws<NetworkProblemException>(() => Check("nope"));
        Assert.Equal(ErrorIds.NotFound, e.First.ErrorId);
    }

    [Fact]
    public void A_deleted_bridge_fails_it_and_the_checks_that_need_it()
    {
        Start(Nat);
        test.Host.DeleteLink("vlab0");

        var results = Check();

        Assert.Equal([BridgePresent, BridgeUp, BridgeAddresses, BridgeMacAddress], Failing(results));
        Assert.StartsWith("Bridge vlab0 is missing: guests on network 'lab' are cut off", results[BridgePresent].Detail);
        Assert.Equal("Not checked: Bridge vlab0 is missing.", results[BridgeUp].Detail);
    }

    [Fact]
    public void A_downed_bridge_a_deleted_address_and_forwarding_off_fail_each_with_its_remedy()
    {
        Start(Nat);
        test.Host.Links_["vlab0"] = test.Host.Links_["vlab0"] with { IsUp = false };
        test.Host.DeleteAddress("vlab0", IpNetwork.Parse("10.50.0.1/24"));
        test.Host.Sysctls["net/ipv4/ip_forward"] = "0";

        var results = Check();

        Assert.Equal([BridgeUp, BridgeAddresses, Forwarding], Failing(results));
        Assert.Equal("Bridge vlab0 lacks 10.50.0.1/24: guests lose their gateway, DHCP and DNS on it.", results[BridgeAddresses].Detail);
        Assert.Contains("net.ipv4.ip_forward=0", results[Forwarding].Detail);
        Assert.Contains("sysctl -w net.ipv4.ip_forward=1", results[Forwarding].Remedy);
    }

    [Fact]
    public void The_daemon_not_running_not_serving_or_bound_to_an_old_bridge_fails()
    {
        Start(Nat);
        var served = probe.Served!;

        probe.Served = null;
        Assert.Equal([DaemonRunning], Failing(Check()));

        probe.Served = [];
        Assert.Equal([DhcpServed, DnsServed], Failing(Check()));

        probe.Served = [served[0] with { InterfaceIndex = 999 }];
        var stale = Check();
        Assert.Equal([DhcpServed, DnsServed], Failing(stale));
        Assert.Contains("on an older bridge vlab0 (ifindex 999", stale[DhcpServed].Detail);
    }

    [Fact]
    public void A_route_that_took_the_subnet_since_the_start_fails()
    {
        Start(Nat);
        test.Host.AddRoute("eth0", IpNetwork.Parse("10.50.0.0/16"), null, null);

        var results = Check();

        Assert.Equal([SubnetCollision], Failing(results));
        Assert.Equal("10.50.0.0/24 overlaps 10.50.0.0/16 on eth0: the host sends some of the guests' traffic the wrong way (a VPN or another network took the subnet since the start).", results[SubnetCollision].Detail);
    }

    [Fact]
    public void A_changed_bridge_mac_is_a_warning()
    {
        Start(Nat);
        test.Host.Links_["vlab0"] = test.Host.Links_["vlab0"] with { MacAddress = "52:54:00:00:00:01" };

        Assert.Equal(HealthStatus.Warning, Check()[BridgeMacAddress].Status);
    }

    [Fact]
    public void Ipv6_forwarding_with_a_link_learning_ra_routes_below_accept_ra_2_fails()
    {
        Start(Nat.Replace("</ip>", "</ip><ip family='ipv6' address='fd00:50::1' prefix='64'/>"));
        test.Host.RaLinks.Add("eth0");
        test.Host.Sysctls["net/ipv6/conf/eth0/accept_ra"] = "1";

        var results = Check();
        Assert.Equal(HealthStatus.Fail, results[AcceptRa].Status);
        Assert.Equal("sysctl -w net.ipv6.conf.eth0.accept_ra=2 (and persist it in /etc/sysctl.d).", results[AcceptRa].Remedy);

        test.Host.Sysctls["net/ipv6/conf/eth0/accept_ra"] = "2";
        Assert.Equal(HealthStatus.Pass, Check()[AcceptRa].Status);
    }

    [Fact]
    public void The_foreign_firewall_checks_read_the_ruleset_iptables_saves_and_br_netfilter_of_the_host()
    {
        Start(Nat);
        var fixtures = Path.Combine(AppContext.BaseDirectory, "Health", "Fixtures");
        var ports = test.Ports();
        HealthResult[] Foreign() => [.. new NetworkHealth(ports, new NetworkCatalog(ports), probe).Check("lab")
            .Where(r => r.Check is ForeignForwardDrop or BridgeNetfilter or ForeignInputDrop)];

        probe.RulesetJson = """{"nftables":[]}""";
        Assert.Equal([ForeignForwardDrop, BridgeNetfilter, ForeignInputDrop], Foreign().Select(r => r.Check));
        Assert.All(Foreign(), r => Assert.Equal(HealthStatus.Pass, r.Status));
        Assert.Equal((false, false), probe.AskedNft); // no table of iptables' names: no iptables-nft-save spawned

        probe.RulesetJson = File.ReadAllText(Path.Combine(fixtures, "docker.json"));
        probe.Saves = IptablesSaves.None with { NftV4 = File.ReadAllText(Path.Combine(fixtures, "docker.txt")) };
        Assert.Equal(HealthStatus.Fail, Foreign().Single(r => r.Check == ForeignForwardDrop).Status);
        Assert.Equal((true, false), probe.AskedNft); // Docker's ip filter table

        test.Host.Sysctls["net/bridge/bridge-nf-call-iptables"] = "1";
        Assert.Equal(HealthStatus.Fail, Foreign().Single(r => r.Check == BridgeNetfilter).Status);
    }
}
