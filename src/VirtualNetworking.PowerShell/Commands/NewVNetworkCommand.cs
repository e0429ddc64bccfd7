using System.Management.Automation;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-define from parameters: allocates UUID, bridge, MAC and (without -Subnet) a free /24.</summary>
[Cmdlet(VerbsCommon.New, "VNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(VNetwork))]
public sealed class NewVNetworkCommand : VNetworkCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string Name { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public NetworkMode Mode { get; set; } = NetworkMode.Nat;

    /// <summary>One subnet, or an IPv4 subnet and an IPv6 prefix (dual stack).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string[]? Subnet { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string[]? DhcpRange { get; set; }

    [Parameter]
    public SwitchParameter NoDhcp { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? BridgeName { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? ForwardDevice { get; set; }

    [Parameter]
    public SwitchParameter Stp { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(68, 65535)]
    public int Mtu { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Domain { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? MacAddress { get; set; }

    [Parameter]
    public SwitchParameter Autostart { get; set; }

    /// <summary>Define, then start (net-define + net-start).</summary>
    [Parameter]
    public SwitchParameter Start { get; set; }

    /// <summary>Start without storing a definition (net-create): the network is gone after Stop-VNetwork.</summary>
    [Parameter]
    public SwitchParameter Transient { get; set; }

    protected override void ProcessRecord() => ForTarget(Name, () =>
    {
        var request = NetworkRequest.FromParameters(Name, Mode, Subnet, DhcpRange, NoDhcp, BridgeName, ForwardDevice,
            IsBound(nameof(Stp)) ? Stp.IsPresent : null, IsBound(nameof(Mtu)) ? Mtu : null, Domain, MacAddress, Autostart, Transient);
        if (Transient)
        {
            if (!ShouldProcess(Name, "Create and start a transient virtual network")) return;
            var definition = ModuleContext.Catalog().PrepareTransient(request);
            WriteWarnings(ModuleContext.Runtime().StartTransient(definition));
        }
        else
        {
            if (!ShouldProcess(Name, Start ? "Define and start virtual network" : "Define virtual network")) return;
            ModuleContext.Catalog().Create(request);
            if (Start) WriteWarnings(ModuleContext.Runtime().Start(Name));
        }
        WriteObject(new VNetwork(ModuleContext.Catalog().Get(Name)));
    });
}
