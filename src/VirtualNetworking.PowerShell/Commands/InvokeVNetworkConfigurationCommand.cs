using System.Management.Automation;
using VirtualNetworking.Core.Desired;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>Converges the host to a configuration document: Core's plan, executed network by network.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "VNetworkConfiguration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
[OutputType(typeof(VNetworkConfigurationResult))]
public sealed class InvokeVNetworkConfigurationCommand : ConfigurationCommandBase
{
    /// <summary>Changes that restart a running network (its bridge is created anew) are made, not refused.</summary>
    [Parameter]
    public SwitchParameter AllowRestart { get; set; }

    protected override void ProcessRecord()
    {
        var plan = PlanHost();
        var executor = ModuleContext.Configurations();
        foreach (var network in plan.Networks)
            ForTarget(network.Network, () =>
            {
                var outcome = executor.Execute(network, AllowRestart, step => ShouldProcess(step.Network, Describe(step)));
                WriteWarnings(outcome.Warnings);
                foreach (var step in outcome.Steps.Where(s => s.Result != StepResult.Skipped))
                    WriteObject(new VNetworkConfigurationResult(step));
                if (outcome.Failure is { } failure) throw failure;
            });
    }

    /// <summary>The -WhatIf line of a step: the exact change, and its cost when it is more than live.</summary>
    private static string Describe(PlanStep step)
    {
        static string Show(object? value) => value switch { null => "(none)", "" => "(none)", _ => $"{value}" };
        var cost = step.Cost == ChangeCost.Live ? "" : $" [{step.Cost}]";
        return step.Action == PlanAction.Restart
            ? "Restart the network to apply the changes marked [Restart]"
            : $"{step.Action} {step.Property}: {Show(step.Current)} -> {Show(step.Desired)}{cost}";
    }
}
