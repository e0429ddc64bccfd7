using System.Net.Sockets;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using Keys = VirtualNetworking.Core.Desired.ConfigurationKeys;

namespace VirtualNetworking.Core.Desired;

/// <summary>
/// Compares a document with the networks the host has (pure): for every declared property that differs, a step with
/// the current and the desired value, the action and its cost. A running network is compared by its live
/// definition. Reservation, autostart and DHCP-range changes are applied live and never take a network down.
/// </summary>
public static class ConfigurationPlanner
{
    /// <param name="current">Every network of the host (NetworkCatalog.List).</param>
    /// <param name="prune">Networks the document does not declare are removed.</param>
    public static ConfigurationPlan Plan(DesiredConfiguration configuration, IReadOnlyList<NetworkRecord> current, bool prune)
    {
        var byName = current.ToDictionary(r => r.Definition.Name, StringComparer.Ordinal);
        var plans = configuration.Networks.Select(d => Plan(d, byName.GetValueOrDefault(d.Name))).ToList();
        if (prune)
        {
            var declared = configuration.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            plans.AddRange(current.Where(r => !declared.Contains(r.Definition.Name))
                .Select(r => new NetworkPlan(r.Definition.Name, null, r, [Removal(r)])));
        }
        return new ConfigurationPlan(plans.Where(p => p.Steps.Count > 0).ToList());
    }

    public static NetworkPlan Plan(DesiredNetwork desired, NetworkRecord? current)
    {
        var name = desired.Name;
        if (desired.Ensure == Ensure.Absent)
            return new NetworkPlan(name, desired, current, current is null ? [] : [Removal(current)]);
        if (current is null) return new NetworkPlan(name, desired, null, Creation(desired));

        var steps = new List<PlanStep>();
        var definition = current.Definition;
        var active = current.State == NetworkState.Active;
        var wanted = desired.State ?? current.State;
        if (active && wanted == NetworkState.Inactive) steps.Add(new(name, Keys.State, NetworkState.Active.ToString(), wanted.ToString(), PlanAction.Stop, ChangeCost.Live));

        if (desired.Declares(Keys.Mode) && desired.Request.Mode != definition.Mode)
        {
            // A new mode is a new definition: everything the document declares comes with it.
            steps.Add(new(name, Keys.Mode, definition.Mode.ToString(), desired.Request.Mode.ToString(), PlanAction.Redefine, ChangeCost.Redefine));
            steps.AddRange(desired.Reservations?.Select(r => new PlanStep(name, ReservationProperty(r.MacAddress), null, ReservationText(r), PlanAction.AddReservation, ChangeCost.Live)) ?? []);
            steps.AddRange(PortForwardSteps(name, null, desired.PortForwards));
            if (wanted == NetworkState.Active) steps.Add(new(name, Keys.State, NetworkState.Inactive.ToString(), wanted.ToString(), PlanAction.Start, ChangeCost.Live));
            return new NetworkPlan(name, desired, current, steps);
        }

        var staysActive = active && wanted == NetworkState.Active;
        var atStart = staysActive ? ChangeCost.Restart : ChangeCost.Live;
        void Update(string property, object? now, object? then, ChangeCost cost)
        {
            if (!Equals(now, then)) steps.Add(new(name, property, now, then, PlanAction.Update, cost));
        }

        var request = desired.Request;
        var subnet = desired.Declares(Keys.Subnet) ? request.Subnet : null;
        var newSubnet = subnet is { } wantedSubnet && SubnetOf(definition, wantedSubnet) != wantedSubnet.ToString();
        if (subnet is { } s) Update(Keys.Subnet, SubnetOf(definition, s), s.ToString(), atStart);
        if (newSubnet && !desired.Declares(Keys.DhcpRange) && !request.NoDhcp && RangesOf(definition, subnet!.Value.Address.AddressFamily) is { Length: > 0 } ranges)
            // The range moves with the subnet, to New-VNetwork's default for it.
            Update(Keys.DhcpRange, ranges, DefaultRange(request), atStart);
        if (desired.Declares(Keys.BridgeName)) Update(Keys.BridgeName, definition.Bridge?.Name, request.BridgeName, atStart);
        if (desired.Declares(Keys.ForwardDevice))
            Update(Keys.ForwardDevice, definition.Mode == NetworkMode.Bridged ? definition.UplinkDevice : definition.Forward?.Dev, request.ForwardDevice, atStart);
        if (desired.Declares(Keys.MacAddress)) Update(Keys.MacAddress, definition.MacAddress, request.MacAddress, atStart);
        if (request.NoDhcp && RangesOf(definition, AddressFamily.InterNetwork) is { Length: > 0 } served)
            Update(Keys.DhcpRange, served, "", atStart);

        var change = new NetworkChange
        {
            Mtu = desired.Declares(Keys.Mtu) ? request.Mtu ?? 0 : null,
            Domain = desired.Declares(Keys.Domain) ? request.Domain ?? "" : null,
            Stp = desired.Declares(Keys.Stp) ? request.Stp : null,
            DhcpRange = desired.Declares(Keys.DhcpRange) ? (request.DhcpStart!, request.DhcpEnd!) : null,
            Autostart = desired.Declares(Keys.Autostart) ? request.Autostart : null,
        };
        foreach (var difference in change.Differences(definition, current.Autostart, staysActive))
        {
            var (action, cost) = difference.Property switch
            {
                NetworkChange.AutostartProperty => (PlanAction.Autostart, ChangeCost.Live),
                // vnetd takes a new IPv4 range of a network it serves at once, keeping its leases.
                NetworkChange.DhcpRangeProperty when !newSubnet && request.DhcpStart!.AddressFamily == AddressFamily.InterNetwork && ServesDhcp(definition) =>
                    (PlanAction.Update, ChangeCost.Live),
                _ => (PlanAction.Update, difference.Cost),
            };
            steps.Add(new(name, difference.Property, difference.Current, difference.Desired, action, cost));
        }
        if (desired.Reservations is { } reservations) steps.AddRange(ReservationSteps(name, definition, reservations));
        steps.AddRange(PortForwardSteps(name, definition, desired.PortForwards));

        if (staysActive && steps.Any(s => s.Cost == ChangeCost.Restart))
            steps.Add(new(name, Keys.State, NetworkState.Active.ToString(), NetworkState.Active.ToString(), PlanAction.Restart, ChangeCost.Restart));
        if (!active && wanted == NetworkState.Active) steps.Add(new(name, Keys.State, NetworkState.Inactive.ToString(), wanted.ToString(), PlanAction.Start, ChangeCost.Live));
        return new NetworkPlan(name, desired, current, steps);
    }

    private static List<PlanStep> Creation(DesiredNetwork desired)
    {
        var name = desired.Name;
        var request = desired.Request;
        var what = $"{request.Mode}{(request.Subnet is { } s ? $" {s}" : "")}{(request.Autostart ? ", autostart" : "")}";
        var steps = new List<PlanStep> { new(name, Keys.Ensure, Ensure.Absent.ToString(), what, PlanAction.Create, ChangeCost.Live) };
        steps.AddRange(desired.Reservations?.Select(r => new PlanStep(name, ReservationProperty(r.MacAddress), null, ReservationText(r), PlanAction.AddReservation, ChangeCost.Live)) ?? []);
        steps.AddRange(PortForwardSteps(name, null, desired.PortForwards));
        if (desired.State == NetworkState.Active)
            steps.Add(new(name, Keys.State, NetworkState.Inactive.ToString(), NetworkState.Active.ToString(), PlanAction.Start, ChangeCost.Live));
        return steps;
    }

    private static PlanStep Removal(NetworkRecord current) =>
        new(current.Definition.Name, Keys.Ensure, Ensure.Present.ToString(), Ensure.Absent.ToString(), PlanAction.Remove, ChangeCost.Live);

    private static IEnumerable<PlanStep> ReservationSteps(string name, NetworkDefinition definition, IReadOnlyList<DesiredReservation> wanted)
    {
        // A document's reservations are by MAC; the IPv6 ones (by DUID or name) are not its to manage.
        var now = DhcpReservations.List(definition).Where(r => r.MacAddress is not null)
            .GroupBy(r => r.MacAddress!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var reservation in wanted)
        {
            var text = ReservationText(reservation);
            if (!now.TryGetValue(reservation.MacAddress, out var existing))
                yield return new(name, ReservationProperty(reservation.MacAddress), null, text, PlanAction.AddReservation, ChangeCost.Live);
            else if (ReservationText(existing) != text)
                yield return new(name, ReservationProperty(reservation.MacAddress), ReservationText(existing), text, PlanAction.ChangeReservation, ChangeCost.Live);
        }
        var declared = wanted.Select(r => r.MacAddress).ToHashSet(StringComparer.Ordinal);
        foreach (var extra in now.Values.Where(r => !declared.Contains(r.MacAddress!)))
            yield return new(name, ReservationProperty(extra.MacAddress!), ReservationText(extra), null, PlanAction.RemoveReservation, ChangeCost.Live);
    }

    /// <summary>
    /// The forwards to add, change (same protocol, host address and first host port, anything else different) and remove;
    /// each applied live, by its own rules, on a running network. <paramref name="definition"/> null: a new definition.
    /// </summary>
    private static IEnumerable<PlanStep> PortForwardSteps(string name, NetworkDefinition? definition, IReadOnlyList<PortForwardDefinition>? wanted)
    {
        if (wanted is null) yield break;
        var now = definition?.PortForwards ?? [];
        foreach (var forward in wanted)
        {
            var existing = now.FirstOrDefault(forward.IsSameForward);
            if (existing is null)
                yield return new(name, PortForwardProperty(forward), null, PortForwardText(forward), PlanAction.AddPortForward, ChangeCost.Live);
            else if (PortForwardText(existing) != PortForwardText(forward))
                yield return new(name, PortForwardProperty(forward), PortForwardText(existing), PortForwardText(forward), PlanAction.ChangePortForward, ChangeCost.Live);
        }
        foreach (var extra in now.Where(f => !wanted.Any(f.IsSameForward)))
            yield return new(name, PortForwardProperty(extra), PortForwardText(extra), null, PlanAction.RemovePortForward, ChangeCost.Live);
    }

    /// <summary>"PortForwards[tcp 8080]", "PortForwards[udp 203.0.113.5:5000]": a forward by what no two forwards share.</summary>
    public static string PortForwardProperty(PortForwardDefinition forward) =>
        $"{Keys.PortForwards}[{forward.Protocol.ToString().ToLowerInvariant()} {(forward.HostAddress is null ? "" : $"{forward.HostAddress}:")}{forward.HostPort}]";

    private static string PortForwardText(PortForwardDefinition forward) =>
        forward + (forward.SourcePrefixes.Count == 0 ? "" : $" from {string.Join(", ", forward.SourcePrefixes)}")
        + (forward.Description is null ? "" : $" ({forward.Description})");

    public static string ReservationProperty(string macAddress) => $"{Keys.Reservations}[{macAddress}]";

    private static string ReservationText(DesiredReservation r) => r.HostName is null ? r.IPAddress.ToString() : $"{r.IPAddress} ({r.HostName})";
    private static string ReservationText(DhcpReservationEntry r) => r.HostName is null ? r.IPAddress.ToString() : $"{r.IPAddress} ({r.HostName})";

    /// <summary>The network's subnet of the same family as <paramref name="wanted"/> (a network has one per family).</summary>
    private static string? SubnetOf(NetworkDefinition definition, IpNetwork wanted) =>
        NetworkCatalog.DefinedSubnets(definition).Where(s => s.IsIPv6 == wanted.IsIPv6).Select(s => s.ToString()).FirstOrDefault();

    private static string RangesOf(NetworkDefinition definition, AddressFamily family) =>
        string.Join(", ", definition.Ips.Where(i => i.Address.AddressFamily == family && i.Dhcp is not null)
            .SelectMany(i => i.Dhcp!.Ranges).Select(r => $"{r.Start}-{r.End}"));

    /// <summary>The range New-VNetwork gives the declared subnet.</summary>
    private static string DefaultRange(NetworkRequest request)
    {
        var ip = NetworkRequestBuilder.Build(request with { DhcpStart = null, DhcpEnd = null }, () => request.Subnet!.Value).Ips[0];
        return ip.Dhcp is { } dhcp ? string.Join(", ", dhcp.Ranges.Select(r => $"{r.Start}-{r.End}")) : "";
    }

    /// <summary>Whether the running network's DHCP is served by vnetd (libvirt's rule: the IPv4 block with DHCP).</summary>
    private static bool ServesDhcp(NetworkDefinition definition) =>
        definition.Ips.Any(ip => !ip.IsIPv6 && ip.Dhcp is { } b && (b.Ranges.Count > 0 || b.Hosts.Count > 0));
}
