using System.Management.Automation;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>The port forwards of networks (every defined network's, unless -Network says which).</summary>
[Cmdlet(VerbsCommon.Get, "VNetworkPortForward")]
[OutputType(typeof(VNetworkPortForward))]
public sealed class GetVNetworkPortForwardCommand : VNetworkCommandBase
{
    /// <summary>A network object from the pipeline binds here (by its name).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Network { get; set; }

    /// <summary>Only the forwards to this guest.</summary>
    [Parameter]
    public string? GuestAddress { get; set; }

    /// <summary>Only the forward that takes this host port.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int? HostPort { get; set; }

    protected override void ProcessRecord()
    {
        System.Net.IPAddress? guest = null;
        if (GuestAddress is not null) guest = ForAll(() => ParameterText.HostAddress(GuestAddress));
        var forwards = ModuleContext.PortForwards();
        foreach (var name in Network ?? ForAll(() => ModuleContext.Catalog().List().Select(r => r.Definition.Name).ToArray()))
            ForTarget(name, () =>
            {
                foreach (var entry in forwards.List(name))
                {
                    if (guest is not null && !entry.Forward.GuestAddress.Equals(guest)) continue;
                    if (HostPort is { } port && !(entry.Forward.HostPort <= port && port <= entry.Forward.HostPortLast)) continue;
                    WriteObject(new VNetworkPortForward(entry));
                }
            });
    }
}
