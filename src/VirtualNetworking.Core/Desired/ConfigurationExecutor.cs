using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using Keys = VirtualNetworking.Core.Desired.ConfigurationKeys;

namespace VirtualNetworking.Core.Desired;

/// <summary>How a step ended.</summary>
public enum StepResult
{
    Done,
    /// <summary>The caller did not approve it (-WhatIf, or -Confirm answered no).</summary>
    Skipped,
    /// <summary>It needs a restart of a running network, and restarts were not allowed.</summary>
    Refused,
    /// <summary>The network's execution failed; the network was put back as it was.</summary>
    Failed,
}

public sealed record StepOutcome(PlanStep Step, StepResult Result);

/// <summary>What executing one network's plan did, and the problem that stopped it (null: none).</summary>
public sealed record NetworkOutcome(IReadOnlyList<StepOutcome> Steps, IReadOnlyList<NetworkProblem> Warnings, NetworkProblemException? Failure);

/// <summary>
/// Executes a plan network by network through the catalog and the runtime. A network's changes are all or nothing:
/// when one fails, its stored definition, autostart flag and state are put back, and the other networks go on.
/// </summary>
public sealed class ConfigurationExecutor(NetworkCatalog catalog, NetworkRuntime runtime)
{
    /// <param name="approve">Asked once per step before anything is done (ShouldProcess); a declined step is skipped.</param>
    public NetworkOutcome Execute(NetworkPlan plan, bool allowRestart, Func<PlanStep, bool> approve)
    {
        var approved = plan.Steps.Where(approve).ToList();
        if (approved.Count == 0) return new(plan.Steps.Select(s => new StepOutcome(s, StepResult.Skipped)).ToList(), [], null);
        StepOutcome[] All(StepResult result) =>
            plan.Steps.Select(s => new StepOutcome(s, approved.Contains(s) ? result : StepResult.Skipped)).ToArray();

        if (plan.RestartNeeded && !allowRestart && approved.Any(s => s.Cost != ChangeCost.Live))
        {
            var properties = string.Join(", ", plan.Steps.Where(s => s.Cost != ChangeCost.Live && s.IsDifference).Select(s => s.Property));
            return new(All(StepResult.Refused), [], new NetworkProblemException(ErrorIds.RestartRequired, ProblemCategory.InvalidOperation,
                $"Network '{plan.Network}' is running and must be restarted to change {properties}: its bridge is created anew, and its guests lose connectivity meanwhile. Nothing was changed on it. Run again with -AllowRestart, or keep those properties as they are in the document.",
                plan.Network));
        }

        var before = catalog.Find(plan.Network);
        var stored = before?.Persistent == true ? catalog.FindPersistent(plan.Network) : null;
        var warnings = new List<NetworkProblem>();
        try
        {
            Apply(plan, approved, warnings);
            return new(All(StepResult.Done), warnings, null);
        }
        catch (NetworkProblemException failure)
        {
            var problems = failure.Problems.Select(p => Named(p, plan.Network)).ToList();
            problems.AddRange(Restore(plan.Network, before, stored));
            return new(All(StepResult.Failed), warnings, new NetworkProblemException(problems));
        }
    }

    private void Apply(NetworkPlan plan, IReadOnlyList<PlanStep> steps, List<NetworkProblem> warnings)
    {
        var name = plan.Network;
        bool Has(PlanAction action) => steps.Any(s => s.Action == action);
        if (Has(PlanAction.Remove))
        {
            if (plan.Current?.Persistent == false) runtime.Stop(name);
            else
            {
                runtime.StopIfActive(name);
                warnings.AddRange(catalog.Remove(name));
            }
            return;
        }
        if (Has(PlanAction.Stop)) runtime.Stop(name);

        var desired = plan.Desired!;
        if (Has(PlanAction.Redefine))
        {
            runtime.StopIfActive(name);
            warnings.AddRange(catalog.Remove(name));
        }
        if (Has(PlanAction.Create)) catalog.Create(desired.Request);
        // Defined anew, a network keeps its autostart flag unless the document declares one.
        if (Has(PlanAction.Redefine))
            catalog.Create(desired.Declares(Keys.Autostart) ? desired.Request : desired.Request with { Autostart = plan.Current!.Autostart });

        var definitionSteps = steps.Where(s => s.Action is PlanAction.Update or PlanAction.AddReservation or PlanAction.ChangeReservation or PlanAction.RemoveReservation
            or PlanAction.AddPortForward or PlanAction.ChangePortForward or PlanAction.RemovePortForward).ToList();
        var autostart = steps.Any(s => s.Action == PlanAction.Autostart) ? desired.Request.Autostart : (bool?)null;
        if (definitionSteps.Count > 0 || autostart is not null)
            catalog.UpdateDefinition(name, d => ApplyTo(d, desired, definitionSteps), autostart);

        // A running network that is not restarted takes its live steps at once (vnetd gets the new definition).
        var live = definitionSteps.Where(s => s.Cost == ChangeCost.Live && !IsPortForward(s)).ToList();
        if (!Has(PlanAction.Restart) && live.Count > 0) runtime.ApplyLive(name, d => ApplyTo(d, desired, live));
        // A forward's rules change alone, in the running network's firewall (a network not running gets them at its start).
        if (!Has(PlanAction.Restart) && plan.Current?.State == NetworkState.Active && !Has(PlanAction.Stop) && !Has(PlanAction.Redefine))
            foreach (var step in definitionSteps.Where(IsPortForward))
            {
                if (step.Action is PlanAction.ChangePortForward or PlanAction.RemovePortForward
                    && plan.Current.Definition.PortForwards.FirstOrDefault(f => ConfigurationPlanner.PortForwardProperty(f) == step.Property) is { } old)
                    warnings.AddRange(runtime.RemovePortForwardLive(name, old) ?? []);
                if (step.Action is PlanAction.AddPortForward or PlanAction.ChangePortForward)
                    warnings.AddRange(runtime.AddPortForwardLive(name, DesiredForward(desired, step)) ?? []);
            }
        if (Has(PlanAction.Restart)) warnings.AddRange(runtime.Restart(name));
        if (Has(PlanAction.Start)) warnings.AddRange(runtime.Start(name));
    }

    /// <summary>The document's values of the steps' properties, applied to a definition (stored or live).</summary>
    private static void ApplyTo(NetworkDefinition definition, DesiredNetwork desired, IReadOnlyList<PlanStep> steps)
    {
        var request = desired.Request;
        var properties = steps.Select(s => s.Property).ToHashSet(StringComparer.Ordinal);
        if (properties.Contains(Keys.Subnet))
        {
            // The block New-VNetwork would make for the subnet, with its default range unless the document gives one.
            var fresh = NetworkRequestBuilder.Build(request with { BridgeName = null, ForwardDevice = null }, () => request.Subnet!.Value).Ips[0];
            var ip = definition.Ips.FirstOrDefault(i => i.IsIPv6 == fresh.IsIPv6);
            if (ip is null) definition.Ips.Add(fresh);
            else
            {
                (ip.Address, ip.Netmask, ip.Prefix, ip.Family) = (fresh.Address, fresh.Netmask, fresh.Prefix, fresh.Family);
                if (properties.Contains(Keys.DhcpRange) && fresh.Dhcp is { } dhcp)
                    new NetworkChange { DhcpRange = (dhcp.Ranges[0].Start, dhcp.Ranges[0].End) }.ApplyTo(definition);
            }
        }
        else if (properties.Contains(Keys.DhcpRange) && request.DhcpStart is { } start)
            new NetworkChange { DhcpRange = (start, request.DhcpEnd!) }.ApplyTo(definition);
        if (properties.Contains(Keys.DhcpRange) && request.NoDhcp)
            foreach (var ip in definition.Ips.Where(i => !i.IsIPv6 && i.Dhcp is not null))
            {
                ip.Dhcp!.Ranges.Clear();
                if (ip.Dhcp.Hosts.Count == 0) ip.Dhcp = null;
            }
        if (properties.Contains(Keys.BridgeName)) (definition.Bridge ??= new BridgeDefinition()).Name = request.BridgeName;
        if (properties.Contains(Keys.ForwardDevice))
        {
            if (definition.Mode == NetworkMode.Bridged) definition.UplinkDevice = request.ForwardDevice;
            else if (definition.Forward is { } forward)
            {
                forward.Interfaces.Clear();
                if (request.ForwardDevice is { } device) forward.Interfaces.Add(device);
            }
        }
        if (properties.Contains(Keys.MacAddress)) definition.MacAddress = request.MacAddress;
        new NetworkChange
        {
            Mtu = properties.Contains(Keys.Mtu) ? request.Mtu ?? 0 : null,
            Domain = properties.Contains(Keys.Domain) ? request.Domain ?? "" : null,
            Stp = properties.Contains(Keys.Stp) ? request.Stp : null,
        }.ApplyTo(definition);

        var byMac = desired.Reservations?.ToDictionary(r => ConfigurationPlanner.ReservationProperty(r.MacAddress), StringComparer.Ordinal) ?? [];
        var existing = DhcpReservations.List(definition).Where(e => e.MacAddress is not null);
        foreach (var step in steps.Where(s => s.Action is PlanAction.ChangeReservation or PlanAction.RemoveReservation))
            foreach (var entry in existing.Where(e => ConfigurationPlanner.ReservationProperty(e.MacAddress!) == step.Property))
                DhcpReservations.Remove(definition, entry.MacAddress, duid: null, entry.IPAddress);
        foreach (var step in steps.Where(s => s.Action is PlanAction.AddReservation or PlanAction.ChangeReservation))
        {
            var r = byMac[step.Property];
            DhcpReservations.Add(definition, r.MacAddress, duid: null, r.IPAddress, r.HostName);
        }
        foreach (var step in steps.Where(s => s.Action is PlanAction.ChangePortForward or PlanAction.RemovePortForward))
            definition.PortForwards.RemoveAll(f => ConfigurationPlanner.PortForwardProperty(f) == step.Property);
        foreach (var step in steps.Where(s => s.Action is PlanAction.AddPortForward or PlanAction.ChangePortForward))
            definition.PortForwards.Add(DesiredForward(desired, step).Clone());
    }

    private static bool IsPortForward(PlanStep step) =>
        step.Action is PlanAction.AddPortForward or PlanAction.ChangePortForward or PlanAction.RemovePortForward;

    private static PortForwardDefinition DesiredForward(DesiredNetwork desired, PlanStep step) =>
        desired.PortForwards!.First(f => ConfigurationPlanner.PortForwardProperty(f) == step.Property);

    /// <summary>
    /// Puts a network back as it was before its steps: its stored definition and autostart flag, and its state (a
    /// network that ran runs again, one created is removed). What cannot be put back is reported, never hidden.
    /// </summary>
    private IEnumerable<NetworkProblem> Restore(string name, NetworkRecord? before, NetworkDefinition? stored)
    {
        var problems = new List<NetworkProblem>();
        void Try(Action undo)
        {
            try { undo(); }
            catch (NetworkProblemException e)
            {
                problems.AddRange(e.Problems.Select(p => p with
                {
                    Message = $"Network '{name}' could not be put back as it was: {p.Message}",
                }));
            }
        }
        if (before is null)
        {
            Try(() => runtime.StopIfActive(name));
            Try(() => { if (catalog.FindPersistent(name) is not null) catalog.Remove(name); });
            return problems;
        }
        var now = catalog.Find(name);
        if (before.State == NetworkState.Inactive && now?.State == NetworkState.Active) Try(() => runtime.Stop(name));
        if (stored is not null)
            Try(() =>
            {
                catalog.Import(stored);
                catalog.UpdateDefinition(name, _ => { }, before.Autostart);
            });
        if (before.State == NetworkState.Active && catalog.Find(name)?.State != NetworkState.Active)
            Try(() => runtime.Start(name));
        return problems;
    }

    /// <summary>Every error names its network, whatever raised it.</summary>
    private static NetworkProblem Named(NetworkProblem problem, string network) =>
        problem.Message.Contains($"'{network}'", StringComparison.Ordinal) ? problem with { Target = network }
            : problem with { Message = $"Network '{network}': {problem.Message}", Target = network };
}
