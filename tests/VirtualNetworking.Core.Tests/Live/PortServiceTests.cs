using System.Net;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.GuestPorts;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Tests.Fakes;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Live;

public sealed class PortServiceTests
{
    private const string Nat = """
        <network><name>lab</name><uuid>927f4393-3e4e-4a94-9e42-67c4ebe45556</uuid><forward mode='nat'/>
        <bridge name='virbr0' stp='off' delay='0'/><mac address='52:54:00:b8:c9:9d'/><mtu size='9000'/>
        <ip address='192.168.122.1' netmask='255.255.255.0'><dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip></network>
        """;

    private readonly TestHost test = new();
    private readonly FakeHost host;
    private readonly MemoryDefinitionStore definitions;
    private readonly MemoryPortRecordStore records;
    private readonly FakeDhcp dhcp;
    private readonly CountingRandom random;

    public PortServiceTests()
    {
        (host, definitions, records, dhcp, random) = (test.Host, test.Definitions, test.PortRecords, test.Dhcp, test.Random);
        host.AddLink("lo", null, null, 65536);
        host.AddLink("eth0", "veth", "52:54:00:00:00:07");
        host.Namespaces["/run/netns/c1"] = new HashSet<string> { "lo" };
        definitions.Save(NetworkXml.Parse(Nat));
    }

    private NetworkRuntime Runtime() => new(test.Ports());

    private PortService Ports()
    {
        var catalog = new NetworkCatalog(test.Ports());
        return new PortService(test.Ports(), catalog, new ReservationService(catalog, Runtime()));
    }

    private string HostState() => host.Snapshot() + "\n" + string.Join('\n', records.Ports.Select(p => p.Key + ":" + p.Value)) +
                                  "\n" + definitions.Files["lab"];

    [Fact]
    public void A_tap_gets_the_first_free_vnet_name_a_5254_mac_a_fe_host_end_and_the_bridges_mtu()
    {
        Runtime().Start("lab");
        host.AddLink("vnet0", "tun");

        var created = Ports().Create(new PortRequest("lab", PortType.Tap, Owner: "qemu"));

        var port = created.Port;
        Assert.Equal("vnet1", port.Name);
        Assert.Matches("^52:54:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$", port.MacAddress);
        Assert.Equal("fe" + port.MacAddress[2..], port.HostMacAddress);
        Assert.Equal((uint)64055, port.OwnerUid);
        var link = host.GetLink("vnet1")!;
        Assert.Equal(host.GetLink("virbr0")!.Index, link.MasterIndex);
        Assert.Equal(9000, link.Mtu);
        Assert.Equal(port.HostMacAddress, link.MacAddress);
        Assert.Equal(port, Assert.Single(records.LoadPorts("lab")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("var/run/netns/c1")]
    [InlineData("c\u0001")]
    public void Text_that_names_no_namespace_is_refused(string text)
    {
        var e = Assert.Throws<NetworkProblemException>(() => PortNamespace.FromText(text));
        Assert.Equal(("VNetworkNamespaceInvalid", ProblemCategory.InvalidArgument), (e.First.ErrorId, e.First.Category));
    }

    [Fact]
    public void A_namespace_is_a_name_under_run_netns_or_an_absolute_path()
    {
        Assert.Equal(new PortNamespace("c1", "/run/netns/c1"), PortNamespace.FromText("c1"));
        Assert.Equal(new PortNamespace("/var/run/docker/netns/x", "/var/run/docker/netns/x"), PortNamespace.FromText("/var/run/docker/netns/x"));
    }

    [Fact]
    public void A_generated_mac_skips_one_a_bridge_uses()
    {
        Runtime().Start("lab");
        random.Next = [0xb8, 0xc9, 0x9d, 0x00, 0x00, 0x08]; // the first candidate is the network's bridge MAC
        var port = Ports().Create(new PortRequest("lab", PortType.Tap)).Port;
        Assert.Equal("52:54:00:00:00:08", port.MacAddress);
    }

    [Fact]
    public void A_veth_puts_its_far_end_in_the_namespace_and_can_reserve_an_address()
    {
        Runtime().Start("lab");
        var port = Ports().Create(new PortRequest("lab", PortType.Veth, MacAddress: "52:54:00:AA:00:01",
            Namespace: PortNamespace.FromText("c1"), IPAddress: IPAddress.Parse("192.168.122.50"))).Port;

        Assert.Equal("52:54:00:aa:00:01", port.MacAddress);
        Assert.Equal("eth0", port.GuestInterfaceName);
        Assert.Contains("eth0", host.Namespaces["/run/netns/c1"]);
        Assert.Contains("mac='52:54:00:aa:00:01'", definitions.Files["lab"]);
        Assert.Contains("52:54:00:aa:00:01", NetworkXml.Format(test.Live.Load("lab")!.Definition));

        Ports().Remove("lab", port.Name);
        Assert.Null(host.GetLink(port.Name));
        Assert.Empty(records.LoadPorts(null));
        Assert.DoesNotContain("52:54:00:aa:00:01", definitions.Files["lab"]);
    }

    [Fact]
    public void A_reservation_that_already_exists_is_reused_and_survives_the_ports_removal()
    {
        Runtime().Start("lab");
        var catalog = new NetworkCatalog(test.Ports());
        new ReservationService(catalog, Runtime()).Add("lab", "52:54:00:aa:00:02", duid: null, IPAddress.Parse("192.168.122.51"), null);

        var port = Ports().Create(new PortRequest("lab", PortType.Tap, MacAddress: "52:54:00:aa:00:02", IPAddress: IPAddress.Parse("192.168.122.51"))).Port;
        Assert.Null(port.ReservedAddress);
        Ports().Remove("lab", port.Name);
        Assert.Contains("52:54:00:aa:00:02", definitions.Files["lab"]);
    }

    public static TheoryData<string, PortRequest> BadRequests => new()
    {
        { "VNetworkNotFound", new PortRequest("nosuch", PortType.Tap) },
        { "VNetworkPortNameInvalid", new PortRequest("lab", PortType.Tap, Name: "a/b") },
        { "VNetworkPortNameInvalid", new PortRequest("lab", PortType.Tap, Name: "sixteen-bytes-xx") },
        { "VNetworkPortNameInUse", new PortRequest("lab", PortType.Tap, Name: "eth0") },
        { "VNetworkPortNameInUse", new PortRequest("lab", PortType.Tap, Name: "virbr0") },
        { "VNetworkMacAddressInvalid", new PortRequest("lab", PortType.Tap, MacAddress: "01:00:5e:00:00:01") },
        { "VNetworkMacAddressInvalid", new PortRequest("lab", PortType.Tap, MacAddress: "52:54:00:zz:00:01") },
        { "VNetworkPortMacInUse", new PortRequest("lab", PortType.Tap, MacAddress: "52:54:00:00:00:07") },
        { "VNetworkPortMacInUse", new PortRequest("lab", PortType.Tap, MacAddress: "52:54:00:b8:c9:9d") },
        { "VNetworkPortNamespaceRequired", new PortRequest("lab", PortType.Veth) },
        { "VNetworkPortParameterInvalid", new PortRequest("lab", PortType.Tap, Namespace: PortNamespace.FromText("c1")) },
        { "VNetworkPortParameterInvalid", new PortRequest("lab", PortType.Veth, Owner: "qemu", Namespace: PortNamespace.FromText("c1")) },
        { "VNetworkNamespaceNotFound", new PortRequest("lab", PortType.Veth, Namespace: PortNamespace.FromText("c2")) },
        { "VNetworkGuestInterfaceInUse", new PortRequest("lab", PortType.Veth, Namespace: PortNamespace.FromText("c1"), GuestInterfaceName: "lo") },
        { "VNetworkPortOwnerNotFound", new PortRequest("lab", PortType.Tap, Owner: "nobody-here") },
        { "VNetworkReservationOutsideSubnet", new PortRequest("lab", PortType.Tap, IPAddress: IPAddress.Parse("10.0.0.5")) },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Bad_input_is_refused_with_its_error_id_and_changes_nothing(string errorId, PortRequest request)
    {
        Runtime().Start("lab");
        var before = HostState();
        var e = Assert.Throws<NetworkProblemException>(() => Ports().Create(request));
        Assert.Contains(e.Problems, p => p.ErrorId == errorId);
        Assert.Equal(before, HostState());
    }

    [Fact]
    public void An_unknown_network_is_reported_as_such_also_to_a_caller_without_cap_net_admin()
    {
        host.MayChange = false;
        var e = Assert.Throws<NetworkProblemException>(() => Ports().Create(new PortRequest("nosuch", PortType.Tap)));
        Assert.Equal("VNetworkNotFound", e.First.ErrorId);
        Assert.Equal("VNetworkPermissionDenied", Assert.Throws<NetworkProblemException>(() => Ports().Create(new PortRequest("lab", PortType.Tap))).First.ErrorId);
    }

    [Fact]
    public void An_inactive_network_has_no_ports()
    {
        var e = Assert.Throws<NetworkProblemException>(() => Ports().Create(new PortRequest("lab", PortType.Tap)));
        Assert.Equal("VNetworkNotActive", e.First.ErrorId);
    }

    [Fact]
    public void A_kernel_refusal_leaves_no_record()
    {
        Runtime().Start("lab");
        var before = HostState();
        host.FailOn = "create-port";
        Assert.Throws<NetworkProblemException>(() => Ports().Create(new PortRequest("lab", PortType.Tap)));
        host.FailOn = null;
        Assert.Equal(before, HostState());
    }

    [Fact]
    public void Stop_removes_the_ports_and_restart_reattaches_them_to_the_new_bridge()
    {
        Runtime().Start("lab");
        var tap = Ports().Create(new PortRequest("lab", PortType.Tap)).Port;
        var veth = Ports().Create(new PortRequest("lab", PortType.Veth, Namespace: PortNamespace.FromText("c1"))).Port;
        var oldBridge = host.GetLink("virbr0")!.Index;

        Runtime().Restart("lab");
        var bridge = host.GetLink("virbr0")!;
        Assert.NotEqual(oldBridge, bridge.Index);
        Assert.Equal(bridge.Index, host.GetLink(tap.Name)!.MasterIndex);
        Assert.Equal(bridge.Index, host.GetLink(veth.Name)!.MasterIndex);
        Assert.Equal(2, records.LoadPorts("lab").Count);

        Runtime().Stop("lab");
        Assert.Null(host.GetLink(tap.Name));
        Assert.Null(host.GetLink(veth.Name));
        Assert.Empty(records.LoadPorts(null));
    }

    [Fact]
    public void A_restart_that_fails_removes_the_ports_with_the_network()
    {
        Runtime().Start("lab");
        var tap = Ports().Create(new PortRequest("lab", PortType.Tap)).Port;
        host.FailOn = "firewall";
        Assert.Throws<NetworkProblemException>(() => Runtime().Restart("lab"));
        host.FailOn = null;
        Assert.Null(host.GetLink(tap.Name));
        Assert.Empty(records.LoadPorts(null));
    }

    [Fact]
    public void Listing_shows_a_port_whose_link_vanished_as_missing()
    {
        Runtime().Start("lab");
        var veth = Ports().Create(new PortRequest("lab", PortType.Veth, Namespace: PortNamespace.FromText("c1"))).Port;
        host.DeleteLink(veth.Name); // the container's namespace went away, and the pair with it
        var status = Assert.Single(Ports().List("lab"));
        Assert.Equal(PortState.Missing, status.State);
        Assert.Equal("VNetworkPortNotFound", Assert.Throws<NetworkProblemException>(() => Ports().Remove("lab", "vnet9")).First.ErrorId);
    }

    [Fact]
    public void Listing_gives_a_guest_its_reserved_address_else_its_bound_lease()
    {
        Runtime().Start("lab");
        var leased = Ports().Create(new PortRequest("lab", PortType.Tap, MacAddress: "52:54:00:aa:00:03")).Port;
        var reserved = Ports().Create(new PortRequest("lab", PortType.Tap, MacAddress: "52:54:00:aa:00:04", IPAddress: IPAddress.Parse("192.168.122.60"))).Port;
        var idle = Ports().Create(new PortRequest("lab", PortType.Tap, MacAddress: "52:54:00:aa:00:05")).Port;
        dhcp.Leases.Add(Lease("192.168.122.70", leased.MacAddress, DhcpLeaseState.Bound));
        dhcp.Leases.Add(Lease("192.168.122.71", reserved.MacAddress, DhcpLeaseState.Bound)); // before its reservation
        dhcp.Leases.Add(Lease("192.168.122.72", idle.MacAddress, DhcpLeaseState.Declined));

        var shown = Ports().List("lab").ToDictionary(s => s.Port.Name, s => s.IPAddress?.ToString());
        Assert.Equal("192.168.122.70", shown[leased.Name]);
        Assert.Equal("192.168.122.60", shown[reserved.Name]);
        Assert.Null(shown[idle.Name]);
    }

    private static DhcpLease Lease(string address, string mac, DhcpLeaseState state) =>
        new(IPAddress.Parse(address), System.Net.NetworkInformation.PhysicalAddress.Parse(mac), null, null, null, state);

    [Fact]
    public void The_record_format_round_trips_every_field()
    {
        var port = new NetworkPort("lab", "vnet3", PortType.Veth, "52:54:00:01:02:03", "fe:54:00:01:02:03", "virbr0", 1000,
            new PortNamespace("my ns", "/var/run/docker/netns/a b"), "eth1", IPAddress.Parse("192.168.122.9"));
        Assert.Equal(port, PortRecordFormat.Parse("lab", "vnet3", PortRecordFormat.Format(port)));
        Assert.Null(PortRecordFormat.Parse("lab", "vnet3", "type=tap\n"));
    }
}
