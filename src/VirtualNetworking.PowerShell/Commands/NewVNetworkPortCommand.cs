using System.Management.Automation;
using VirtualNetworking.Core.GuestPorts;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>
/// virsh net-port-create: attaches a guest to an active network. A tap for QEMU/KVM (persistent, so QEMU opens it
/// with script=no), or a veth whose far end goes into a container's network namespace, renamed and up.
/// </summary>
[Cmdlet(VerbsCommon.New, "VNetworkPort", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = NamespaceSet)]
[OutputType(typeof(VNetworkPort))]
public sealed class NewVNetworkPortCommand : VNetworkCommandBase
{
    private const string NamespaceSet = "Namespace";
    private const string ProcessSet = "ProcessId";

    /// <summary>A network object from the pipeline binds here (by its name); a port's -Name never does.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string Network { get; set; } = "";

    /// <summary>Tap (default) or Veth; -Namespace or -ProcessId alone means Veth.</summary>
    [Parameter]
    public PortType? Type { get; set; }

    [Parameter]
    public string? Name { get; set; }

    [Parameter]
    public string? MacAddress { get; set; }

    [Parameter]
    public string? Owner { get; set; }

    [Parameter(ParameterSetName = NamespaceSet)]
    public string? Namespace { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ProcessSet)]
    [ValidateRange(1, int.MaxValue)]
    public int ProcessId { get; set; }

    [Parameter]
    public string? GuestInterfaceName { get; set; }

    [Parameter]
    public string? IPAddress { get; set; }

    protected override void ProcessRecord() => ForTarget(Network, () =>
    {
        var ns = ParameterSetName == ProcessSet ? PortNamespace.FromProcessId(ProcessId)
            : Namespace is null ? null
            : PortNamespace.FromText(Namespace);
        var request = new PortRequest(Network, Type ?? (ns is null ? PortType.Tap : PortType.Veth), Name, MacAddress, Owner, ns,
            GuestInterfaceName, IPAddress is null ? null : ParameterText.HostAddress(IPAddress));
        if (!ShouldProcess(Network, $"Attach a {request.Type.ToString().ToLowerInvariant()} port")) return;
        WriteObject(new VNetworkPort(ModuleContext.GuestPorts().Create(request)));
    });
}
