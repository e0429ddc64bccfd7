using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Tests.Fakes;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Live;

public sealed class NetworkRuntimeTests
{
    private const string Nat = """
        <network><name>default</name><uuid>927f4393-3e4e-4a94-9e42-67c4ebe45555</uuid><forward mode='nat'/>
        <bridge name='virbr0' stp='on' delay='0'/><mac address='52:54:00:b8:c9:9d'/>
        <ip address='192.168.122.1' netmask='255.255.255.0'><dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip>
        <route address='10.99.0.0' prefix='16' gateway='192.168.122.5'/></network>
        """;

    /// <summary>The NAT network with &lt;domain register='yes'&gt; (libvirt 10.1), which needs localOnly='yes'.</summary>
    private static readonly string Registered = Nat.Replace("<mac address='52:54:00:b8:c9:9d'/>", "<mac address='52:54:00:b8:c9:9d'/><domain name='lab.test' localOnly='yes' register='yes'/>");

    private readonly TestHost test = new();
    private readonly FakeHost host;
    private readonly MemoryDefinitionStore definitions;
    private readonly MemoryLiveNetworkStore live;
    private readonly FakeDhcp dhcp;

    public NetworkRuntimeTests()
    {
        (host, definitions, live, dhcp) = (test.Host, test.Definitions, test.Live, test.Dhcp);
        host.AddLink("lo", null, null, 65536);
        host.AddLink("eth0", "veth");
        host.AddAddress("eth0", IpNetwork.Parse("203.0.113.2/24"));
        host.AddRoute("eth0", IpNetwork.Parse("0.0.0.0/0"), System.Net.IPAddress.Parse("203.0.113.1"), 100);
    }

    private NetworkRuntime Runtime(IFaultInjector? faults = null) => new(test.Ports(faults));

    private void Define(string xml) => definitions.Save(NetworkXml.Parse(xml));

    [Fact]
    public void Start_builds_a_nat_network_in_libvirts_order_and_stop_takes_it_down()
    {
        Define(Nat);
        var faults = new StepFault(null);
        var warnings = Runtime(faults).Start("default");

        Assert.Equal(new[] { "bridge", "sysctl-bridge", "firewall", "addresses", "link-up", "routes", "ip-forward", "dhcp", "dns-register", "status" }, faults.Seen);
        var bridge = host.GetLink("virbr0")!;
        Assert.Equal("52:54:00:b8:c9:9d", bridge.MacAddress);
        Assert.True(bridge.IsUp);
        Assert.Contains(("virbr0", IpNetwork.Parse("192.168.122.1/24")), host.Addrs);
        Assert.Contains(host.RouteList, r => r.Link == "virbr0" && r.Destination.ToString() == "10.99.0.0/16");
        Assert.Equal("1", host.Sysctls["net/ipv4/ip_forward"]);
        Assert.Equal("1", host.Sysctls["net/ipv6/conf/virbr0/disable_ipv6"]);
        Assert.Equal("0", host.Sysctls["net/ipv6/conf/virbr0/accept_ra"]);
        Assert.NotEmpty(host.Rules);
        Assert.Equal(new[] { "default" }, dhcp.Served);
        Assert.DoesNotContain(warnings, w => w.Message.Contains("DNS")); // served by the daemon with DHCP
        Assert.True(live.Load("default")!.Active);

        Runtime().Stop("default");
        Assert.Null(host.GetLink("virbr0"));
        Assert.Empty(host.Rules);
        Assert.Empty(live.State);
        Assert.Empty(dhcp.Served);
        Assert.Equal("1", host.Sysctls["net/ipv4/ip_forward"]); // libvirt never switches forwarding back off
    }

    [Theory]
    [InlineData("<ip address='10.7.0.1' prefix='24'/>", true)]
    [InlineData("<dns enable='no'/><ip address='10.7.0.1' prefix='24'/>", false)]
    [InlineData("<dns enable='no'/><ip family='ipv6' address='fd00:7::1' prefix='64'><dhcp><range start='fd00:7::10' end='fd00:7::99'/></dhcp></ip>", true)]
    [InlineData("<dns enable='no'/><ip address='10.7.0.1' prefix='24'><dhcp><range start='10.7.0.2' end='10.7.0.9'/></dhcp></ip>", true)]
    [InlineData("<ip family='ipv6' address='fd00:7::1' prefix='64'/>", true)] // router advertisements
    [InlineData("<dns enable='no'/><ip family='ipv6' address='fd00:7::1' prefix='64'/>", false)] // libvirt starts no dnsmasq: no RA
    public void The_daemon_serves_a_network_with_dhcp_dns_or_router_advertisements(string elements, bool served)
    {
        Define($"<network><name>dns</name><forward mode='nat'/><bridge name='vdns0'/>{elements}</network>");

        var warnings = Runtime().Start("dns");

        Assert.Equal(served ? ["dns"] : [], dhcp.Served);
        // DNS and router advertisements are served whatever the address family.
        Assert.DoesNotContain(warnings, w => w.ErrorId == ErrorIds.FeatureNotEnforced);
    }

    [Theory]
    [InlineData("route", "", "fd00:7::/64")]
    [InlineData("nat", "", "fd00:7::/64")]
    [InlineData("nat", "<nat ipv6='yes'/>", null)] // NAT66
    [InlineData("open", "", null)] // no firewall of ours at all: the user asked for that
    [InlineData(null, "", null)] // isolated: nothing is forwarded
    public void A_network_whose_ipv6_is_routed_warns_that_its_guests_are_reachable_from_outside(string? mode, string nat, string? open)
    {
        var forward = mode is null ? "" : $"<forward mode='{mode}'>{nat}</forward>";
        Define($"<network><name>six</name>{forward}<bridge name='vsix0'/><ip address='10.7.0.1' prefix='24'/><ip family='ipv6' address='fd00:7::1' prefix='64'/></network>");

        var warnings = Runtime().Start("six").Where(w => w.ErrorId == ErrorIds.Ipv6OpenInbound).ToList();

        if (open is null) { Assert.Empty(warnings); return; }
        var warning = Assert.Single(warnings);
        Assert.StartsWith($"Network 'six': IPv6 {open} is routed, not NATed: the guests' IPv6 addresses are reachable from outside the host", warning.Message);
        Assert.Contains(mode == "nat" ? "<nat ipv6='yes'/> in the <forward mode='nat'> element" : "the host's own firewall", warning.Message);
    }

    [Fact]
    public void A_routed_ipv4_only_network_gets_no_ipv6_warning()
    {
        Define("<network><name>four</name><forward mode='route'/><bridge name='vfour0'/><ip address='10.7.0.1' prefix='24'/></network>");

        Assert.DoesNotContain(Runtime().Start("four"), w => w.ErrorId == ErrorIds.Ipv6OpenInbound);
    }

    [Fact]
    public void An_IPv6_dhcp_block_is_served_without_a_not_enforced_warning()
    {
        Define("<network><name>six</name><forward mode='nat'/><bridge name='vsix0'/><ip address='10.7.0.1' prefix='24'/>" +
               "<ip family='ipv6' address='fd00:7::1' prefix='64'><dhcp><range start='fd00:7::10' end='fd00:7::99'/></dhcp></ip></network>");

        var warnings = Runtime().Start("six");

        Assert.Equal(["six"], dhcp.Served);
        Assert.DoesNotContain(warnings, w => w.ErrorId == ErrorIds.FeatureNotEnforced);
    }

    [Fact]
    public void A_network_first_served_by_a_live_reservation_is_released_at_its_stop()
    {
        Define("<network><name>dns</name><forward mode='nat'/><bridge name='vdns0'/><dns enable='no'/><ip address='10.7.0.1' prefix='24'/></network>");
        Runtime().Start("dns");
        Assert.Empty(dhcp.Served);

        Runtime().ApplyLive("dns", d => d.Ips[0].Dhcp = new Model.DhcpDefinition
        {
            Hosts = { new Model.DhcpHostDefinition { Mac = "52:54:00:00:00:07", Ip = System.Net.IPAddress.Parse("10.7.0.7") } },
        });
        Assert.Equal(["dns"], dhcp.Served);

        Runtime().Stop("dns");
        Assert.Empty(dhcp.Served);
    }

    [Theory]
    [InlineData("bridge")]
    [InlineData("sysctl-bridge")]
    [InlineData("firewall")]
    [InlineData("addresses")]
    [InlineData("link-up")]
    [InlineData("routes")]
    [InlineData("ip-forward")]
    [InlineData("dhcp")]
    [InlineData("dns-register")]
    [InlineData("status")]
    public void A_failure_at_any_step_leaves_the_host_exactly_as_before(string step)
    {
        Define(Registered);
        var before = host.Snapshot();
        var e = Assert.Throws<NetworkProblemException>(() => Runtime(new StepFault(step)).Start("default"));
        Assert.Equal("VNetworkTestFault", e.First.ErrorId);
        Assert.Equal(before, host.Snapshot());
        Assert.Empty(live.State);
        Assert.Empty(dhcp.Served);
        Assert.Empty(test.DnsRegistration.Registered);
    }

    [Fact]
    public void A_registered_domain_sends_the_hosts_queries_for_it_to_the_network_until_the_stop()
    {
        Define(Registered);
        var warnings = Runtime().Start("default");

        var (servers, domain) = test.DnsRegistration.Registered["virbr0"];
        Assert.Equal([System.Net.IPAddress.Parse("192.168.122.1")], servers);
        Assert.Equal("lab.test", domain);
        Assert.Contains(new UndoStep.UnregisterDns("virbr0"), live.ReadUndo("default").Select(UndoStep.Decode));
        Assert.DoesNotContain(warnings, w => w.Message.Contains("register"));

        Runtime().Stop("default");
        Assert.Empty(test.DnsRegistration.Registered);
    }

    [Fact]
    public void Without_a_resolver_to_register_with_a_warning_says_registration_is_not_enforced()
    {
        Define(Registered);
        test.DnsRegistration.Reason = "systemd-resolved does not run on this host";
        var warnings = Runtime().Start("default");

        Assert.Empty(test.DnsRegistration.Registered);
        var warning = Assert.Single(warnings, w => w.Message.Contains("register='yes'"));
        Assert.Equal((ErrorIds.FeatureNotEnforced, ProblemCategory.NotImplemented), (warning.ErrorId, warning.Category));
        Assert.Contains("systemd-resolved does not run on this host", warning.Message);
        Assert.DoesNotContain(live.ReadUndo("default").Select(UndoStep.Decode), s => s is UndoStep.UnregisterDns);
    }

    [Fact]
    public void A_registration_that_fails_fails_the_start_and_rolls_it_back()
    {
        Define(Registered);
        var before = host.Snapshot();
        test.DnsRegistration.Refuse = true;

        Assert.Equal(ErrorIds.HostOperationFailed, Assert.Throws<NetworkProblemException>(() => Runtime().Start("default")).First.ErrorId);
        Assert.Equal(before, host.Snapshot());
        Assert.Empty(live.State);
        Assert.Empty(dhcp.Served);
    }

    [Fact]
    public void A_daemon_that_cannot_serve_fails_the_start_and_rolls_it_back()
    {
        Define(Nat);
        var before = host.Snapshot();
        dhcp.Refuse = true;
        Assert.Equal("VNetworkDhcpUnavailable", Assert.Throws<NetworkProblemException>(() => Runtime().Start("default")).First.ErrorId);
        Assert.Equal(before, host.Snapshot());
        Assert.Empty(live.State);
    }

    [Fact]
    public void A_failed_cleanup_is_reported_after_the_cause()
    {
        Define(Nat);
        host.FailOn = "delete-link";
        var e = Assert.Throws<NetworkProblemException>(() => Runtime(new StepFault("routes")).Start("default"));
        Assert.Equal(new[] { "VNetworkTestFault", "VNetworkHostOperationFailed" }, e.Problems.Select(p => p.ErrorId));
    }

    [Fact]
    public void A_caller_without_the_right_to_change_the_host_changes_nothing()
    {
        Define(Nat);
        Runtime().Start("default");
        var before = host.Snapshot();
        host.MayChange = false;
        Assert.Equal("VNetworkPermissionDenied", Assert.Throws<NetworkProblemException>(() => Runtime().Stop("default")).First.ErrorId);
        Assert.Equal("VNetworkPermissionDenied", Assert.Throws<NetworkProblemException>(() => Runtime().Restart("default")).First.ErrorId);
        Assert.Equal(before, host.Snapshot());
        Assert.Equal(new[] { "default" }, dhcp.Served);
        Assert.True(live.Load("default")!.Active);
    }

    [Fact]
    public void Stopping_or_restarting_an_unknown_network_says_it_is_not_found()
    {
        Assert.Equal("VNetworkNotFound", Assert.Throws<NetworkProblemException>(() => Runtime().Stop("nosuch")).First.ErrorId);
        Assert.Equal("VNetworkNotFound", Assert.Throws<NetworkProblemException>(() => Runtime().Restart("nosuch")).First.ErrorId);
    }

    [Theory]
    [InlineData("create-bridge")]
    [InlineData("firewall")]
    [InlineData("add-address")]
    [InlineData("set-up")]
    [InlineData("add-route")]
    public void A_kernel_refusal_rolls_back_too(string operation)
    {
        Define(Nat);
        var before = host.Snapshot();
        host.FailOn = operation;
        Assert.Throws<NetworkProblemException>(() => Runtime().Start("default"));
        host.FailOn = null;
        Assert.Equal(before, host.Snapshot());
    }

    private const string Nat2 = """
        <network><name>second</name><forward mode='nat'/><bridge name='virbr1'/><mac address='52:54:00:b8:c9:9e'/>
        <ip address='192.168.123.1' netmask='255.255.255.0'/></network>
        """;

    [Fact]
    public void Start_journals_the_applied_rule_handles_and_stop_removes_by_them_without_listing()
    {
        Define(Nat);
        Runtime().Start("default");
        var journaled = live.ReadUndo("default").Select(UndoStep.Decode).OfType<UndoStep.RemoveFirewall>().ToList();
        Assert.Equal(2, journaled.Count);
        Assert.Null(journaled[0].Handles); // before the apply: a kill there is undone by listing
        Assert.Equal(FirewallPlanner.Plan(FirewallNetworkMapper.FromDefinition(NetworkXml.Parse(Nat))).Rules.Count, journaled[1].Handles!.Count);

        Runtime().Stop("default");

        var removal = Assert.Single(host.Removals); // the handle-less line is not acted on again
        Assert.Equal(journaled[1].Handles, removal.Handles);
        Assert.False(removal.OthersHaveRules); // the last network with rules: our tables go
        Assert.False(host.TablesExist);
    }

    [Fact]
    public void Stop_keeps_our_tables_while_another_network_has_rules_and_drops_them_with_the_last()
    {
        Define(Nat);
        Define(Nat2);
        Define("<network><name>open</name><forward mode='open'/><bridge name='open0'/><mac address='52:54:00:00:00:02'/><ip address='10.2.0.1' prefix='24'/></network>");
        Runtime().Start("default");
        Runtime().Start("second");
        Runtime().Start("open");

        Runtime().Stop("default");
        Assert.True(host.Removals[^1].OthersHaveRules);
        Assert.True(host.TablesExist);
        Assert.Contains(host.Rules, r => !r.StartsWith(FirewallNetworkMapper.FromDefinition(NetworkXml.Parse(Nat)).Tag, StringComparison.Ordinal));

        Runtime().Stop("second"); // the open network has no rules and does not keep the tables
        Assert.False(host.Removals[^1].OthersHaveRules);
        Assert.False(host.TablesExist);
        Assert.Empty(host.Rules);
    }

    [Fact]
    public void A_start_that_recreates_our_tables_leaves_no_other_network_holding_handles_of_its_rules()
    {
        Define(Nat);
        Define(Nat2);
        Runtime().Start("default");
        host.DeleteTables(); // nft flush ruleset: handles count from the start again in the tables the next start creates
        Runtime().Start("second");
        var secondRules = host.Rules;
        Assert.NotEmpty(secondRules);

        Runtime().Stop("default"); // its journaled handles are those of second's rules now

        Assert.Equal(secondRules, host.Rules);
        Runtime().Stop("second");
        Assert.False(host.TablesExist);
    }

    [Fact]
    public void A_start_killed_before_its_handles_were_journaled_is_undone_by_listing()
    {
        Define(Nat);
        Freeze(Runtime(new FreezeAt("addresses")), "default");
        // Drop the handles line, as if the kill came between the nft apply and the journal write.
        live.State["default"].Journal.RemoveAll(l => l.StartsWith("remove-firewall ", StringComparison.Ordinal));
        Assert.NotEmpty(host.Rules);

        Assert.Throws<NetworkProblemException>(() => Runtime().Stop("default"));

        var removal = Assert.Single(host.Removals);
        Assert.Null(removal.Handles);
        Assert.Empty(host.Rules);
    }

    [Fact]
    public void An_interrupted_start_is_undone_by_the_next_start()
    {
        Define(Nat);
        var before = host.Snapshot();
        // A start that dies (kill -9) after the addresses step: journal present, no active marker.
        Freeze(Runtime(new FreezeAt("link-up")), "default");
        Assert.False(live.Load("default")!.Active);
        Assert.NotEqual(before, host.Snapshot());

        Runtime().Start("default");
        Runtime().Stop("default");
        Assert.Equal(before.Replace("ip_forward=0", "ip_forward=1"), host.Snapshot());
    }

    [Fact]
    public void An_interrupted_start_is_undone_by_stop_which_then_reports_not_active()
    {
        Define(Nat);
        var before = host.Snapshot();
        Freeze(Runtime(new FreezeAt("ip-forward")), "default");
        var e = Assert.Throws<NetworkProblemException>(() => Runtime().Stop("default"));
        Assert.Equal("VNetworkNotActive", e.First.ErrorId);
        Assert.Equal(before, host.Snapshot());
        Assert.Empty(live.State);
    }

    [Fact]
    public void Starting_twice_and_stopping_an_inactive_network_are_refused()
    {
        Define(Nat);
        Runtime().Start("default");
        Assert.Equal("VNetworkAlreadyActive", Assert.Throws<NetworkProblemException>(() => Runtime().Start("default")).First.ErrorId);
        Runtime().Stop("default");
        Assert.Equal("VNetworkNotActive", Assert.Throws<NetworkProblemException>(() => Runtime().Stop("default")).First.ErrorId);
    }

    [Fact]
    public void A_subnet_routed_on_the_host_is_refused_naming_the_interface_and_nothing_changes()
    {
        Define(Nat);
        host.AddRoute("eth0", IpNetwork.Parse("192.168.0.0/16"), null, null);
        var before = host.Snapshot();
        var e = Assert.Throws<NetworkProblemException>(() => Runtime().Start("default"));
        Assert.Equal("VNetworkSubnetInUse", e.First.ErrorId);
        Assert.Contains("eth0", e.First.Message);
        Assert.Equal(before, host.Snapshot());
        Assert.Empty(live.State);
    }

    private const string RoutedSix = "<network><name>six</name><forward mode='route'/><bridge name='vsix0'/><ip family='ipv6' address='fd00:7::1' prefix='64'/></network>";

    [Fact]
    public void Turning_ipv6_forwarding_on_with_a_link_learning_ra_routes_below_accept_ra_2_is_refused_before_anything_changes()
    {
        Define(RoutedSix);
        host.AddLink("wlan0", null);
        host.RaLinks.AddRange(["eth0", "wlan0"]);
        host.Sysctls["net/ipv6/conf/eth0/accept_ra"] = "1";
        host.Sysctls["net/ipv6/conf/wlan0/accept_ra"] = "2";
        var faults = new StepFault(null);
        var before = host.Snapshot();

        var e = Assert.Throws<NetworkProblemException>(() => Runtime(faults).Start("six"));

        Assert.Equal(ErrorIds.Ipv6ForwardingUnsafe, e.First.ErrorId);
        Assert.Equal(ProblemCategory.InvalidOperation, e.First.Category);
        Assert.Equal("Network 'six' cannot start: it turns IPv6 forwarding on, and eth0 learns IPv6 routes from router advertisements with accept_ra not 2; " +
                     "with forwarding on the kernel ignores those advertisements and the host's IPv6 routes through eth0 expire. " +
                     "Run sysctl -w net.ipv6.conf.eth0.accept_ra=2 (and persist it in /etc/sysctl.d), then start the network again.", e.First.Message);
        Assert.Empty(faults.Seen);
        Assert.Equal(before, host.Snapshot());
        Assert.Empty(live.State);

        host.Sysctls["net/ipv6/conf/eth0/accept_ra"] = "2";
        Runtime().Start("six");
        Assert.Equal("1", host.Sysctls["net/ipv6/conf/all/forwarding"]);
    }

    [Theory]
    [InlineData("nat", "<ip address='10.7.0.1' prefix='24'/><ip family='ipv6' address='fd00:7::1' prefix='64'/>", true)]
    [InlineData("open", "<ip family='ipv6' address='fd00:7::1' prefix='64'/>", true)]
    [InlineData("route", "<ip address='10.7.0.1' prefix='24'/>", false)] // no IPv6 forwarding
    [InlineData(null, "<ip family='ipv6' address='fd00:7::1' prefix='64'/>", false)] // isolated: no forwarding at all
    public void The_ra_check_is_made_where_the_start_turns_ipv6_forwarding_on(string? mode, string ips, bool refused)
    {
        Define($"<network><name>six</name>{(mode is null ? "" : $"<forward mode='{mode}'/>")}<bridge name='vsix0'/>{ips}</network>");
        host.RaLinks.Add("eth0");
        host.Sysctls["net/ipv6/conf/eth0/accept_ra"] = "1";

        if (refused) Assert.Equal(ErrorIds.Ipv6ForwardingUnsafe, Assert.Throws<NetworkProblemException>(() => Runtime().Start("six")).First.ErrorId);
        else Runtime().Start("six");
    }

    [Fact]
    public void Where_ipv6_forwarding_is_on_already_the_start_changes_nothing_for_ra_links_and_is_not_refused()
    {
        Define(RoutedSix);
        host.RaLinks.Add("eth0");
        host.Sysctls["net/ipv6/conf/eth0/accept_ra"] = "1";
        host.Sysctls["net/ipv6/conf/all/forwarding"] = "1";

        Runtime().Start("six");

        Assert.True(live.Load("six")!.Active);
    }

    [Fact]
    public void Isolated_networks_get_rules_but_no_forwarding_and_open_networks_get_no_rules()
    {
        Define("<network><name>iso</name><bridge name='iso0'/><mac address='52:54:00:00:00:01'/><ip address='10.1.0.1' prefix='24'/></network>");
        Define("<network><name>open</name><forward mode='open'/><bridge name='open0'/><mac address='52:54:00:00:00:02'/><ip address='10.2.0.1' prefix='24'/></network>");
        Runtime().Start("iso");
        Assert.NotEmpty(host.Rules);
        Assert.Equal("0", host.Sysctls["net/ipv4/ip_forward"]);
        Runtime().Stop("iso");
        Runtime().Start("open");
        Assert.Empty(host.Rules);
        Assert.Equal("1", host.Sysctls["net/ipv4/ip_forward"]);
    }

    [Fact]
    public void Bridged_with_an_uplink_moves_its_addresses_and_routes_and_stop_puts_them_back()
    {
        Define("<network><name>lan</name><forward mode='bridge'/><bridge name='br0'/><vnet:uplink xmlns:vnet='https://virtualnetworking.dev/schemas/network/1.0' dev='eth0'/></network>");
        var before = host.Snapshot();
        Runtime().Start("lan");
        Assert.Equal(host.GetLink("br0")!.Index, host.GetLink("eth0")!.MasterIndex);
        Assert.Contains(("br0", IpNetwork.Parse("203.0.113.2/24")), host.Addrs);
        Assert.Contains(host.RouteList, r => r.Link == "br0" && r.Destination.PrefixLength == 0);
        Assert.DoesNotContain(host.Addrs, a => a.Link == "eth0");
        Assert.Equal("02:00:00:00:00:01", host.GetLink("br0")!.MacAddress);

        Runtime().Stop("lan");
        Assert.Equal(before, host.Snapshot());
    }

    [Fact]
    public void Bridged_keeps_an_uplink_address_without_a_broadcast_address_as_it_was()
    {
        host.NoBroadcast.Add(IpNetwork.Parse("203.0.113.2/24"));
        Define("<network><name>lan</name><forward mode='bridge'/><bridge name='br0'/><vnet:uplink xmlns:vnet='https://virtualnetworking.dev/schemas/network/1.0' dev='eth0'/></network>");
        var before = host.Snapshot();
        Runtime().Start("lan");
        Assert.Contains(new LinkAddress(IpNetwork.Parse("203.0.113.2/24"), Broadcast: false), host.GetAddresses(host.GetLink("br0")!.Index));
        Runtime().Stop("lan");
        Assert.Equal(before, host.Snapshot());
        Assert.Contains("no-broadcast", before);
    }

    [Fact]
    public void Bridged_to_an_existing_bridge_changes_nothing_on_the_host()
    {
        host.AddLink("br9", "bridge");
        Define("<network><name>lan</name><forward mode='bridge'/><bridge name='br9'/></network>");
        var before = host.Snapshot();
        Runtime().Start("lan");
        Assert.Equal(before, host.Snapshot());
        Assert.True(live.Load("lan")!.Active);
        Runtime().Stop("lan");
        Assert.NotNull(host.GetLink("br9"));
    }

    [Fact]
    public void A_transient_network_is_gone_after_stop_and_restart_keeps_it_transient()
    {
        var definition = NetworkXml.Parse(Nat);
        Runtime().StartTransient(definition);
        Runtime().Restart("default");
        Assert.True(live.Load("default")!.Transient);
        Runtime().Stop("default");
        Assert.Null(live.Load("default"));
        Assert.Empty(definitions.Files);
    }

    [Fact]
    public void Restart_picks_up_the_stored_definition()
    {
        Define(Nat);
        Runtime().Start("default");
        Define(Nat.Replace("192.168.122.1'", "192.168.122.1' ").Replace("<route address='10.99.0.0' prefix='16' gateway='192.168.122.5'/>", ""));
        Runtime().Restart("default");
        Assert.DoesNotContain(host.RouteList, r => r.Destination.ToString() == "10.99.0.0/16");
    }

    [Fact]
    public void Journal_lines_survive_names_with_any_character()
    {
        var steps = new UndoStep[]
        {
            new UndoStep.DeleteLink("br 0"), new UndoStep.RestoreSysctl("net/ipv4/ip_forward", "0"), new UndoStep.RemoveFirewall(),
            new UndoStep.RemoveFirewall([]), new UndoStep.RemoveFirewall([new(NftFamily.Ip, "guest_nat", 12), new(NftFamily.Ip6, "guest_input", 7)]),
            new UndoStep.ReleaseMaster("eth%0"), new UndoStep.RestoreAddress("e'th", IpNetwork.Parse("10.0.0.2/24")),
            new UndoStep.RestoreAddress("eth0", IpNetwork.Parse("10.0.0.3/24"), Broadcast: false),
            new UndoStep.RestoreRoute("eth0", IpNetwork.Parse("0.0.0.0/0"), System.Net.IPAddress.Parse("10.0.0.1"), 100),
            new UndoStep.RestoreRoute("eth0", IpNetwork.Parse("fd00::/64"), null, null),
            new UndoStep.UnregisterDns("virbr 0"),
        };
        foreach (var step in steps) Assert.Equal(step, UndoStep.Decode(step.Encode()));
        Assert.NotEqual<UndoStep>(new UndoStep.RemoveFirewall(), new UndoStep.RemoveFirewall([]));
        Assert.Null(UndoStep.Decode("remove-firewall + ip:guest_nat:x"));
        Assert.Null(UndoStep.Decode("restore-address eth0"));
        Assert.Null(UndoStep.Decode("restore-route eth0 not-a-cidr - -"));
    }

    /// <summary>
    /// Models kill -9: the start's thread stops for good at a step and never runs its undo
    /// (a background thread, blocked until the test process ends).
    /// </summary>
    private static void Freeze(NetworkRuntime runtime, string name)
    {
        var thread = new Thread(() => runtime.Start(name)) { IsBackground = true };
        thread.Start();
        Assert.True(FreezeAt.Reached.Wait(TimeSpan.FromSeconds(10)));
        FreezeAt.Reached.Reset();
    }

    private sealed class FreezeAt(string step) : IFaultInjector
    {
        public static readonly ManualResetEventSlim Reached = new();
        public void At(string current)
        {
            if (current != step) return;
            Reached.Set();
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
