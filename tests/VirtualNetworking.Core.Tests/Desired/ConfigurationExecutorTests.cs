using VirtualNetworking.Core.Firewall;
using System.Collections;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Desired;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Tests.Fakes;
using static VirtualNetworking.Core.Tests.Desired.ConfigurationDocumentTests;

namespace VirtualNetworking.Core.Tests.Desired;

/// <summary>Executing plans over the fake host: convergence, idempotence, restarts only when allowed, and failures contained.</summary>
public sealed class ConfigurationExecutorTests
{
    private readonly TestHost test = new();

    public ConfigurationExecutorTests()
    {
        test.Host.AddLink("lo", null, null, 65536);
        test.Host.AddLink("eth0", "veth");
        test.Host.AddAddress("eth0", IpNetwork.Parse("203.0.113.2/24"));
    }

    private NetworkCatalog Catalog() => new(test.Ports());

    private ConfigurationPlan Plan(Hashtable document, bool prune = false) =>
        ConfigurationPlanner.Plan(ConfigurationDocument.Parse(document), Catalog().List(), prune);

    /// <summary>Plans and executes every network, as Invoke-VNetworkConfiguration does.</summary>
    private List<NetworkOutcome> Converge(Hashtable document, bool allowRestart = false, bool prune = false)
    {
        var executor = new ConfigurationExecutor(Catalog(), new NetworkRuntime(test.Ports()));
        return Plan(document, prune).Networks.Select(n => executor.Execute(n, allowRestart, _ => true)).ToList();
    }

    private static Hashtable Lab(params (string Key, object? Value)[] changes)
    {
        var map = Map(("Name", "lab"), ("Mode", "Nat"), ("Subnet", "10.10.0.0/24"), ("BridgeName", "vlab0"), ("Autostart", true), ("State", "Active"),
            ("Reservations", new object[] { Map(("MacAddress", "52:54:00:00:10:01"), ("IPAddress", "10.10.0.5"), ("HostName", "db")) }));
        foreach (var (key, value) in changes) map[key] = value;
        return map;
    }

    private static Hashtable Iso() => Map(("Name", "iso"), ("Mode", "Isolated"), ("Subnet", "10.20.0.0/24"), ("BridgeName", "viso0"), ("State", "Active"));
    private static Hashtable Spare() => Map(("Name", "spare"), ("Mode", "Routed"), ("Subnet", "10.40.0.0/24"), ("BridgeName", "vspare0"), ("NoDhcp", true));

    private int BridgeIndex(string name) => test.Host.GetLink(name)!.Index;

    [Fact]
    public void Three_networks_converge_from_empty_and_a_second_plan_is_empty()
    {
        var outcomes = Converge(Document(Lab(), Iso(), Spare()));

        Assert.All(outcomes, o => Assert.Null(o.Failure));
        Assert.All(outcomes.SelectMany(o => o.Steps), s => Assert.Equal(StepResult.Done, s.Result));
        var lab = Catalog().Get("lab");
        Assert.Equal((NetworkState.Active, true), (lab.State, lab.Autostart));
        Assert.Equal("10.10.0.5", Assert.Single(DhcpReservations.List(lab.Definition)).IPAddress.ToString());
        Assert.Equal(NetworkState.Active, Catalog().Get("iso").State);
        Assert.Equal(NetworkState.Inactive, Catalog().Get("spare").State);
        Assert.NotNull(test.Host.GetLink("vlab0"));
        Assert.Contains("lab", test.Dhcp.Served);

        Assert.True(Plan(Document(Lab(), Iso(), Spare())).IsEmpty);
    }

    [Fact]
    public void Reservation_and_DHCP_range_changes_reach_the_running_network_without_a_restart()
    {
        Converge(Document(Lab()));
        var index = BridgeIndex("vlab0");

        var outcome = Assert.Single(Converge(Document(Lab(("DhcpRange", new object[] { "10.10.0.100", "10.10.0.150" }),
            ("Reservations", new object[] { Map(("MacAddress", "52:54:00:00:10:01"), ("IPAddress", "10.10.0.6"), ("HostName", "db")) })))));

        Assert.Null(outcome.Failure);
        Assert.Equal(index, BridgeIndex("vlab0")); // the same bridge: never re-created
        var running = test.Live.Load("lab")!.Definition;
        Assert.Equal("10.10.0.6", Assert.Single(DhcpReservations.List(running)).IPAddress.ToString());
        Assert.Equal("10.10.0.100", running.Ips[0].Dhcp!.Ranges.Single().Start.ToString());
        var stored = test.Definitions.Load("lab")!.Definition;
        Assert.Equal("10.10.0.6", Assert.Single(DhcpReservations.List(stored)).IPAddress.ToString());
        Assert.Equal("10.10.0.150", stored.Ips[0].Dhcp!.Ranges.Single().End.ToString());
    }

    [Fact]
    public void A_new_subnet_of_a_running_network_is_refused_without_AllowRestart_and_done_with_it()
    {
        Converge(Document(Lab(), Iso()));
        var index = BridgeIndex("vlab0");
        var storedBefore = test.Definitions.Files["lab"];
        var moved = Lab(("Subnet", "10.30.0.0/24"), ("Mtu", 1400),
            ("Reservations", new object[] { Map(("MacAddress", "52:54:00:00:10:01"), ("IPAddress", "10.30.0.5"), ("HostName", "db")) }));

        // The refusal is the lab network's alone: the iso network in the same run still converges.
        var refused = Converge(Document(moved, Iso().With("State", "Inactive")));
        var failure = Assert.Single(refused, o => o.Failure is not null).Failure!;
        Assert.Equal(ErrorIds.RestartRequired, failure.First.ErrorId);
        Assert.Equal("lab", failure.First.Target);
        Assert.Contains("Network 'lab' is running and must be restarted to change Subnet, DhcpRange, Mtu", failure.First.Message);
        Assert.All(refused.Single(o => o.Failure is not null).Steps, s => Assert.Equal(StepResult.Refused, s.Result));
        Assert.Equal(storedBefore, test.Definitions.Files["lab"]);
        Assert.Equal(index, BridgeIndex("vlab0"));
        Assert.Equal(NetworkState.Inactive, Catalog().Get("iso").State);

        var done = Assert.Single(Converge(Document(moved, Iso().With("State", "Inactive")), allowRestart: true));
        Assert.Null(done.Failure);
        Assert.Contains(done.Steps, s => s.Step.Action == PlanAction.Restart && s.Result == StepResult.Done);
        var lab = Catalog().Get("lab");
        Assert.Equal(("10.30.0.0/24", 1400, NetworkState.Active), (NetworkCatalog.DefinedSubnets(lab.Definition).Single().ToString(), lab.Definition.Mtu, lab.State));
        Assert.Equal("10.30.0.2", lab.Definition.Ips[0].Dhcp!.Ranges.Single().Start.ToString());
        Assert.NotEqual(index, BridgeIndex("vlab0"));
        Assert.True(Plan(Document(moved, Iso().With("State", "Inactive"))).IsEmpty);
    }

    [Fact]
    public void A_failing_network_is_put_back_as_it_was_and_the_others_converge()
    {
        Converge(Document(Lab(("State", "Inactive")), Iso().With("State", "Inactive")));
        var storedBefore = test.Definitions.Files["lab"];
        // Something else now has lab's bridge name: lab's start fails after its MTU change was stored.
        var foreign = test.Host.AddLink("vlab0", "bridge");

        var outcomes = Converge(Document(Lab(("Mtu", 1400), ("Autostart", false)), Iso()));

        var failed = Assert.Single(outcomes, o => o.Failure is not null);
        Assert.Equal(ErrorIds.BridgeExists, failed.Failure!.First.ErrorId);
        Assert.Contains("'lab'", failed.Failure.First.Message);
        Assert.All(failed.Steps, s => Assert.Equal(StepResult.Failed, s.Result));
        Assert.Equal(storedBefore, test.Definitions.Files["lab"]);
        Assert.Contains("lab", test.Definitions.Autostart);
        Assert.Equal(NetworkState.Inactive, Catalog().Get("lab").State);
        Assert.Null(test.Live.Load("lab"));
        Assert.Equal(foreign, test.Host.GetLink("vlab0")); // the other bridge is left alone
        Assert.Equal(NetworkState.Active, Catalog().Get("iso").State);
    }

    [Fact]
    public void A_reservation_outside_the_subnet_the_network_has_is_refused_at_execution_and_changes_nothing()
    {
        Converge(Document(Lab()));
        var stored = test.Definitions.Files["lab"];
        var running = test.Live.State["lab"].Xml;
        // Without Subnet the document cannot be checked against the subnet: the stored definition's rules catch it.
        var document = Document(Map(("Name", "lab"), ("Mtu", 1400), ("State", "Inactive"),
            ("Reservations", new object[] { Map(("MacAddress", "52:54:00:00:10:01"), ("IPAddress", "10.99.0.5")) })));

        var outcome = Assert.Single(Converge(document));

        Assert.Equal(ErrorIds.ReservationOutsideSubnet, outcome.Failure!.First.ErrorId);
        Assert.Contains("'lab'", outcome.Failure.First.Message);
        Assert.Equal(stored, test.Definitions.Files["lab"]);
        Assert.Equal(running, test.Live.State["lab"].Xml); // stopped for the change, then started again as it was
        Assert.Equal(NetworkState.Active, Catalog().Get("lab").State);
    }

    [Fact]
    public void A_new_network_that_fails_to_start_is_removed_again()
    {
        test.Host.AddLink("vlab0", "bridge");
        var outcome = Assert.Single(Converge(Document(Lab())));
        Assert.Equal(ErrorIds.BridgeExists, outcome.Failure!.First.ErrorId);
        Assert.Null(Catalog().Find("lab"));
        Assert.Empty(test.Definitions.Files);
    }

    [Fact]
    public void Prune_and_Absent_remove_networks_running_or_not()
    {
        Converge(Document(Lab(), Iso(), Spare()));

        var outcomes = Converge(Document(Lab(), Map(("Name", "iso"), ("Ensure", "Absent"))), prune: true);

        Assert.All(outcomes, o => Assert.Null(o.Failure));
        Assert.Equal(new[] { "lab" }, Catalog().List().Select(r => r.Definition.Name));
        Assert.Null(test.Host.GetLink("viso0"));
        Assert.True(Plan(Document(Lab(), Map(("Name", "iso"), ("Ensure", "Absent"))), prune: true).IsEmpty);
    }

    [Fact]
    public void A_new_mode_redefines_with_AllowRestart()
    {
        Converge(Document(Lab()));
        var uuid = Catalog().Get("lab").Definition.Uuid;

        var outcome = Assert.Single(Converge(Document(Lab(("Mode", "Routed")).Without("Autostart")), allowRestart: true));

        Assert.Null(outcome.Failure);
        var lab = Catalog().Get("lab");
        Assert.Equal((Model.NetworkMode.Routed, NetworkState.Active, true), (lab.Definition.Mode, lab.State, lab.Autostart)); // autostart kept
        Assert.NotEqual(uuid, lab.Definition.Uuid);
        Assert.Single(DhcpReservations.List(lab.Definition));
        Assert.True(Plan(Document(Lab(("Mode", "Routed")))).IsEmpty);
    }

    [Fact]
    public void Declined_steps_change_nothing()
    {
        var executor = new ConfigurationExecutor(Catalog(), new NetworkRuntime(test.Ports()));
        var outcomes = Plan(Document(Lab(), Iso())).Networks.Select(n => executor.Execute(n, allowRestart: true, _ => false)).ToList();

        Assert.All(outcomes.SelectMany(o => o.Steps), s => Assert.Equal(StepResult.Skipped, s.Result));
        Assert.Empty(test.Definitions.Files);
        Assert.Empty(test.Live.State);
    }

    private static Hashtable Forward(string protocol, object hostPort, string guest, params (string Key, object? Value)[] more)
    {
        var map = Map(("Protocol", protocol), ("HostPort", hostPort), ("GuestAddress", guest));
        foreach (var (key, value) in more) map[key] = value;
        return map;
    }

    [Fact]
    public void Port_forwards_converge_live_on_a_running_network_by_their_own_elements_and_a_second_plan_is_empty()
    {
        Converge(Document(Lab(("PortForwards", new object[] { Forward("Tcp", 8080, "10.10.0.5", ("GuestPort", 80)), Forward("Udp", "5000-5009", "10.10.0.6") }))));
        var index = BridgeIndex("vlab0");
        Assert.Equal(2, test.Live.Load("lab")!.Definition.PortForwards.Count);
        Assert.Contains(test.Host.Elements, e => e.StartsWith(FirewallLayout.ForwardAny, StringComparison.Ordinal));

        // One forward changes (its guest port), one goes, one comes: three live steps, no restart.
        var next = Document(Lab(("PortForwards", new object[]
        {
            Forward("Tcp", 8080, "10.10.0.5", ("GuestPort", 8000), ("SourcePrefix", "198.51.100.0/24")),
            Forward("Tcp", 2222, "10.10.0.5", ("GuestPort", 22), ("Description", "ssh")),
        })));
        var steps = Plan(next).Steps.ToList();
        Assert.Equal([PlanAction.ChangePortForward, PlanAction.AddPortForward, PlanAction.RemovePortForward], steps.Select(s => s.Action));
        Assert.Equal(["PortForwards[tcp 8080]", "PortForwards[tcp 2222]", "PortForwards[udp 5000]"], steps.Select(s => s.Property));
        Assert.All(steps, s => Assert.Equal(ChangeCost.Live, s.Cost));

        var outcome = Assert.Single(Converge(next));

        Assert.Null(outcome.Failure);
        Assert.Equal(index, BridgeIndex("vlab0"));
        var running = test.Live.Load("lab")!.Definition;
        var fresh = new TestHost();
        fresh.Host.Apply(VirtualNetworking.Core.Firewall.FirewallNetworkMapper.FromDefinition(running));
        Assert.Equal(fresh.Host.Rules, test.Host.Rules);
        Assert.Equal(fresh.Host.Elements, test.Host.Elements);
        Assert.Equal(["tcp 8080 -> 10.10.0.5:8000", "tcp 2222 -> 10.10.0.5:22"], running.PortForwards.Select(f => f.ToString()));
        Assert.Equal(running.PortForwards.Select(f => f.ToString()), test.Definitions.Load("lab")!.Definition.PortForwards.Select(f => f.ToString()));
        Assert.True(Plan(next).IsEmpty);
    }

    [Fact]
    public void A_forward_two_declared_networks_claim_and_one_outside_the_subnet_are_refused_before_anything_changes()
    {
        var lab = Lab(("PortForwards", new object[] { Forward("Tcp", 8080, "10.10.0.5") }));
        var iso = Map(("Name", "web"), ("Mode", "Routed"), ("Subnet", "10.30.0.0/24"), ("PortForwards", new object[] { Forward("Tcp", 8080, "10.30.0.5") }));
        var duplicate = Assert.Single(Refusal(Document(lab, iso)));
        Assert.Equal(ErrorIds.PortForwardDuplicate, duplicate.ErrorId);
        Assert.StartsWith("Networks[1].PortForwards: port forward tcp 8080 -> 10.30.0.5:8080 claims a host port that Networks[0] ('lab') forwards too", duplicate.Message);

        var outside = Refusal(Document(Lab(("PortForwards", new object[] { Forward("Tcp", 8080, "10.99.0.5") }))));
        Assert.Equal([ErrorIds.PortForwardGuestOutsideSubnet], outside.Select(p => p.ErrorId));
        var protocol = Assert.Single(Refusal(Document(Lab(("PortForwards", new object[] { Forward("Sctp", 8080, "10.10.0.5") })))));
        Assert.Equal("Networks[0].PortForwards[0].Protocol is 'Sctp'; it must be Tcp or Udp.", protocol.Message);
        var port = Assert.Single(Refusal(Document(Lab(("PortForwards", new object[] { Forward("Tcp", "80-x", "10.10.0.5") })))));
        Assert.Equal(ErrorIds.PortForwardPortInvalid, port.ErrorId);
        Assert.StartsWith("Networks[0].PortForwards[0].HostPort: ", port.Message);
        Assert.Empty(Catalog().List());
    }
}

internal static class HashtableWith
{
    public static Hashtable With(this Hashtable map, string key, object? value)
    {
        map[key] = value;
        return map;
    }
}
