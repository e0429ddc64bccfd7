using System.Collections;
using VirtualNetworking.Core.Desired;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Xml;
using static VirtualNetworking.Core.Tests.Desired.ConfigurationDocumentTests;

namespace VirtualNetworking.Core.Tests.Desired;

/// <summary>The plan: one step per declared property that differs, with its action and cost, from definitions and state alone.</summary>
public sealed class ConfigurationPlannerTests
{
    private const string Lab = """
        <network><name>lab</name><uuid>11111111-2222-4333-8444-555555555555</uuid><forward mode='nat'/>
        <bridge name='labbr0' stp='on' delay='0'/><mac address='52:54:00:0a:0b:0c'/>
        <ip address='10.10.0.1' netmask='255.255.255.0'><dhcp><range start='10.10.0.2' end='10.10.0.254'/>
        <host mac='52:54:00:00:10:01' ip='10.10.0.5' name='db'/><host mac='52:54:00:00:10:02' ip='10.10.0.6'/></dhcp></ip></network>
        """;

    private static NetworkRecord Record(NetworkState state, bool autostart = true, string xml = Lab) =>
        new(NetworkXml.Parse(xml), autostart, Persistent: true, state);

    private static Hashtable LabAsIs(params (string Key, object? Value)[] changes)
    {
        var map = Map(("Name", "lab"), ("Mode", "Nat"), ("Subnet", "10.10.0.0/24"), ("DhcpRange", new object[] { "10.10.0.2", "10.10.0.254" }),
            ("BridgeName", "labbr0"), ("Autostart", true), ("State", "Active"), ("Reservations", new object[]
            {
                Map(("MacAddress", "52:54:00:00:10:01"), ("IPAddress", "10.10.0.5"), ("HostName", "db")),
                Map(("MacAddress", "52:54:00:00:10:02"), ("IPAddress", "10.10.0.6")),
            }));
        foreach (var (key, value) in changes) map[key] = value;
        return map;
    }

    private static ConfigurationPlan Plan(Hashtable document, bool prune = false, params NetworkRecord[] current) =>
        ConfigurationPlanner.Plan(ConfigurationDocument.Parse(document), current, prune);

    private static IEnumerable<(string, PlanAction, ChangeCost)> Shape(ConfigurationPlan plan) =>
        plan.Steps.Select(s => (s.Property, s.Action, s.Cost));

    [Fact]
    public void A_network_as_declared_has_an_empty_plan()
    {
        Assert.True(Plan(Document(LabAsIs()), current: Record(NetworkState.Active)).IsEmpty);
    }

    [Fact]
    public void A_missing_network_is_created_with_its_reservations_then_started()
    {
        var plan = Plan(Document(LabAsIs()));
        Assert.Equal(
            new[]
            {
                ("Ensure", PlanAction.Create, ChangeCost.Live),
                ("Reservations[52:54:00:00:10:01]", PlanAction.AddReservation, ChangeCost.Live),
                ("Reservations[52:54:00:00:10:02]", PlanAction.AddReservation, ChangeCost.Live),
                ("State", PlanAction.Start, ChangeCost.Live),
            },
            Shape(plan));
        var create = plan.Steps.First();
        Assert.Equal(("Absent", "Nat 10.10.0.0/24, autostart"), (create.Current, create.Desired));
    }

    [Fact]
    public void Reservation_autostart_and_DHCP_range_changes_of_a_running_network_are_live_and_need_no_restart()
    {
        var plan = Plan(Document(LabAsIs(("Autostart", false), ("DhcpRange", new object[] { "10.10.0.100", "10.10.0.200" }), ("Reservations", new object[]
        {
            Map(("MacAddress", "52:54:00:00:10:01"), ("IPAddress", "10.10.0.7"), ("HostName", "db")),
            Map(("MacAddress", "52:54:00:00:10:03"), ("IPAddress", "10.10.0.8")),
        }))), current: Record(NetworkState.Active));

        Assert.Equal(
            new[]
            {
                ("DhcpRange", PlanAction.Update, ChangeCost.Live),
                ("Autostart", PlanAction.Autostart, ChangeCost.Live),
                ("Reservations[52:54:00:00:10:01]", PlanAction.ChangeReservation, ChangeCost.Live),
                ("Reservations[52:54:00:00:10:03]", PlanAction.AddReservation, ChangeCost.Live),
                ("Reservations[52:54:00:00:10:02]", PlanAction.RemoveReservation, ChangeCost.Live),
            },
            Shape(plan));
        Assert.False(Assert.Single(plan.Networks).RestartNeeded);
        var range = plan.Steps.First();
        Assert.Equal(("10.10.0.2-10.10.0.254", "10.10.0.100-10.10.0.200"), (range.Current, range.Desired));
        var changed = plan.Steps.Single(s => s.Action == PlanAction.ChangeReservation);
        Assert.Equal(("10.10.0.5 (db)", "10.10.0.7 (db)"), (changed.Current, changed.Desired));
    }

    [Fact]
    public void A_new_subnet_of_a_running_network_costs_a_restart_and_moves_the_range_with_it()
    {
        var plan = Plan(Document(LabAsIs(("Subnet", "10.30.0.0/24"), ("Mtu", 1400), ("Reservations", Array.Empty<object>())).Without("DhcpRange")),
            current: Record(NetworkState.Active));

        Assert.Equal(
            new[]
            {
                ("Subnet", PlanAction.Update, ChangeCost.Restart),
                ("DhcpRange", PlanAction.Update, ChangeCost.Restart),
                ("Mtu", PlanAction.Update, ChangeCost.Restart),
                ("Reservations[52:54:00:00:10:01]", PlanAction.RemoveReservation, ChangeCost.Live),
                ("Reservations[52:54:00:00:10:02]", PlanAction.RemoveReservation, ChangeCost.Live),
                ("State", PlanAction.Restart, ChangeCost.Restart),
            },
            Shape(plan));
        Assert.Equal("10.30.0.2-10.30.0.254", plan.Steps.ElementAt(1).Desired);
        Assert.True(plan.Networks[0].RestartNeeded);
        Assert.DoesNotContain(plan.Differences, s => s.Action == PlanAction.Restart);
    }

    [Fact]
    public void The_same_changes_to_a_stopped_network_or_one_being_stopped_cost_nothing_more()
    {
        var stopped = Plan(Document(LabAsIs(("Subnet", "10.30.0.0/24"), ("State", "Inactive"), ("Reservations", Array.Empty<object>())).Without("DhcpRange")),
            current: Record(NetworkState.Inactive));
        Assert.All(stopped.Steps, s => Assert.Equal(ChangeCost.Live, s.Cost));
        Assert.False(stopped.Networks[0].RestartNeeded);

        var stopping = Plan(Document(LabAsIs(("Mtu", 1400), ("State", "Inactive"))), current: Record(NetworkState.Active));
        Assert.Equal(new[] { ("State", PlanAction.Stop, ChangeCost.Live), ("Mtu", PlanAction.Update, ChangeCost.Live) }, Shape(stopping));
        Assert.False(stopping.Networks[0].RestartNeeded);
    }

    [Fact]
    public void A_new_mode_redefines_the_network()
    {
        var plan = Plan(Document(LabAsIs(("Mode", "Routed"))), current: Record(NetworkState.Active));
        Assert.Equal(("Mode", PlanAction.Redefine, ChangeCost.Redefine), Shape(plan).First());
        Assert.Equal(("Nat", "Routed"), (plan.Steps.First().Current, plan.Steps.First().Desired));
        Assert.True(plan.Networks[0].RestartNeeded);
    }

    [Fact]
    public void State_alone_starts_or_stops()
    {
        Assert.Equal(new[] { ("State", PlanAction.Start, ChangeCost.Live) }, Shape(Plan(Document(LabAsIs()), current: Record(NetworkState.Inactive))));
        Assert.Equal(new[] { ("State", PlanAction.Stop, ChangeCost.Live) }, Shape(Plan(Document(LabAsIs(("State", "Inactive"))), current: Record(NetworkState.Active))));
        Assert.True(Plan(Document(LabAsIs().Without("State")), current: Record(NetworkState.Inactive)).IsEmpty);
    }

    [Fact]
    public void NoDhcp_removes_the_range_at_the_next_start()
    {
        var plan = Plan(Document(Map(("Name", "lab"), ("NoDhcp", true))), current: Record(NetworkState.Active));
        Assert.Equal(new[] { ("DhcpRange", PlanAction.Update, ChangeCost.Restart), ("State", PlanAction.Restart, ChangeCost.Restart) }, Shape(plan));
        Assert.Equal("", plan.Steps.First().Desired);
    }

    [Fact]
    public void Mtu_0_and_an_empty_Domain_declare_no_setting()
    {
        var withBoth = Record(NetworkState.Inactive, xml: Lab.Replace("<mac address='52:54:00:0a:0b:0c'/>", "<mac address='52:54:00:0a:0b:0c'/><mtu size='9000'/><domain name='lab.test'/>"));
        var plan = Plan(Document(Map(("Name", "lab"), ("Mtu", 0), ("Domain", ""))), current: withBoth);
        Assert.Equal(new object?[] { "Mtu", 9000, 0, "Domain", "lab.test", "" }, plan.Steps.SelectMany(s => new[] { s.Property, s.Current, s.Desired }));

        Assert.True(Plan(Document(Map(("Name", "lab"), ("Mtu", 0), ("Domain", ""))), current: Record(NetworkState.Inactive)).IsEmpty);
        var created = ConfigurationDocument.Parse(Document(Map(("Name", "lab"), ("Mtu", 0), ("Domain", "")))).Networks[0].Request;
        Assert.Equal((null, null), (created.Mtu, created.Domain));
    }

    [Fact]
    public void Absent_and_prune_remove_and_nothing_else_is_touched()
    {
        var other = Record(NetworkState.Active, xml: Lab.Replace("<name>lab</name>", "<name>other</name>"));
        Assert.Equal(new[] { ("Ensure", PlanAction.Remove, ChangeCost.Live) }, Shape(Plan(Document(Map(("Name", "lab"), ("Ensure", "Absent"))), current: Record(NetworkState.Active))));
        Assert.True(Plan(Document(Map(("Name", "gone"), ("Ensure", "Absent")))).IsEmpty);

        Assert.True(Plan(Document(LabAsIs()), prune: false, Record(NetworkState.Active), other).IsEmpty);
        var pruned = Plan(Document(LabAsIs()), prune: true, Record(NetworkState.Active), other);
        var step = Assert.Single(pruned.Steps);
        Assert.Equal(("other", PlanAction.Remove), (step.Network, step.Action));
    }
}

internal static class HashtableExtensions
{
    public static Hashtable Without(this Hashtable map, string key)
    {
        map.Remove(key);
        return map;
    }
}
