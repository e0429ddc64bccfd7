using System.Management.Automation;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-autostart / net-edit for common settings: changes a stored definition (Core's NetworkChange).</summary>
[Cmdlet(VerbsCommon.Set, "VNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VNetwork))]
public sealed class SetVNetworkCommand : VNetworkCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter]
    public bool Autostart { get; set; }

    /// <summary>0 removes the MTU setting (the kernel default applies).</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Mtu { get; set; }

    [Parameter]
    public string[]? DhcpRange { get; set; }

    /// <summary>An empty string removes the domain.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? Domain { get; set; }

    [Parameter]
    public bool Stp { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
            ForTarget(name, () =>
            {
                var change = new NetworkChange
                {
                    Mtu = IsBound(nameof(Mtu)) ? Mtu : null,
                    Domain = IsBound(nameof(Domain)) ? Domain ?? "" : null,
                    Stp = IsBound(nameof(Stp)) ? Stp : null,
                    DhcpRange = DhcpRange is null ? null : ParameterText.DhcpRange(DhcpRange),
                    Autostart = IsBound(nameof(Autostart)) ? Autostart : null,
                };
                if (change.Check(name) is { Count: > 0 } problems) throw new Core.Problems.NetworkProblemException(problems);
                if (!ShouldProcess(name, "Change virtual network definition")) return;
                var (record, warnings) = ModuleContext.Catalog().Update(name, change);
                WriteWarnings(warnings);
                if (PassThru) WriteObject(new VNetwork(record));
            });
    }
}
