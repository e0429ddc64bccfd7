using System.Management.Automation;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-autostart / net-edit for common settings: changes a stored definition.</summary>
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
        var bound = MyInvocation.BoundParameters;
        foreach (var name in Name)
        {
            try
            {
                var range = DhcpRange is null ? default : ParameterParsing.DhcpRange(DhcpRange);
                if (bound.ContainsKey(nameof(Mtu)) && Mtu is > 0 and < 68)
                    throw new NetworkProblemException("VNetworkMtuInvalid", ProblemCategory.InvalidArgument,
                        $"MTU {Mtu} is below IPv4's minimum of 68. Give 68 to 65535, or 0 to remove the setting.", name);
                if (!ShouldProcess(name, "Change virtual network definition")) continue;
                var record = ModuleContext.Catalog().Update(name, definition =>
                {
                    if (bound.ContainsKey(nameof(Mtu))) definition.Mtu = Mtu == 0 ? null : Mtu;
                    if (bound.ContainsKey(nameof(Domain)))
                        definition.Domain = string.IsNullOrEmpty(Domain) ? null : new DomainDefinition { Name = Domain };
                    if (bound.ContainsKey(nameof(Stp)))
                        (definition.Bridge ??= new BridgeDefinition()).Stp = Stp;
                    if (DhcpRange is not null) SetDhcpRange(definition, range.Start, range.End);
                }, bound.ContainsKey(nameof(Autostart)) ? Autostart : null);
                var definitionChanged = bound.Keys.Any(k => k is nameof(Mtu) or nameof(Domain) or nameof(Stp) or nameof(DhcpRange));
                if (record.State == NetworkState.Active && definitionChanged)
                    WriteWarning($"Network '{name}' is active: the changed definition takes effect at its next start (Restart-VNetwork '{name}'). Export-VNetwork -Inactive shows it.");
                if (PassThru) WriteObject(new VNetwork(record));
            }
            catch (NetworkProblemException e)
            {
                WriteProblems(e);
            }
        }
    }

    /// <summary>Replaces the ranges of the network's DHCP block (or of the first <ip> of the range's family).</summary>
    private static void SetDhcpRange(NetworkDefinition definition, System.Net.IPAddress start, System.Net.IPAddress end)
    {
        var ip = definition.Ips.FirstOrDefault(i => i.Dhcp is not null && i.Address.AddressFamily == start.AddressFamily)
                 ?? definition.Ips.FirstOrDefault(i => i.Address.AddressFamily == start.AddressFamily)
                 ?? throw new NetworkProblemException("VNetworkDhcpRangeInvalid", ProblemCategory.InvalidArgument,
                     $"Network '{definition.Name}' has no {(start.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} address for a DHCP range {start}-{end}. Give a range inside one of its subnets.",
                     definition.Name);
        ip.Dhcp ??= new DhcpDefinition();
        ip.Dhcp.Ranges.Clear();
        ip.Dhcp.Ranges.Add(new DhcpRangeDefinition { Start = start, End = end });
    }
}
