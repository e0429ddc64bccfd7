using System.Management.Automation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>
/// First-run setup, idempotent: the 'default' NAT network (virbr0, 192.168.122.0/24 unless taken, DHCP .2-.254),
/// autostarted and started, and a boot unit where systemd runs. Core works out the steps; each is confirmed here.
/// </summary>
[Cmdlet(VerbsData.Initialize, "VNetworkHost", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VNetwork))]
public sealed class InitializeVNetworkHostCommand : VNetworkCommandBase
{
    protected override void EndProcessing()
    {
        var setup = ModuleContext.Setup();
        ForAll(() =>
        {
            foreach (var step in setup.Steps())
            {
                if (step.Warning is { } warning) WriteWarnings([warning]);
                if (step.Apply is { } apply && ShouldProcess(step.Target, step.Action)) WriteWarnings(apply());
            }
            return 0;
        });
        if (ForAll(setup.DefaultNetworkRecord) is { } record) WriteObject(new VNetwork(record));
    }
}
