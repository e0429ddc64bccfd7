using System.Management.Automation;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Xml;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-dumpxml: a network's libvirt XML, to the pipeline or to a file.</summary>
[Cmdlet(VerbsData.Export, "VNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(string))]
public sealed class ExportVNetworkCommand : VNetworkCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Written as one file per network when several are exported: then it names a folder.</summary>
    [Parameter(Position = 1)]
    public string? Path { get; set; }

    [Parameter]
    public SwitchParameter Inactive { get; set; }

    protected override void ProcessRecord()
    {
        var catalog = ModuleContext.Catalog();
        foreach (var name in Name)
            ForTarget(name, () =>
            {
                // net-dumpxml: the live definition of an active network; -Inactive: the stored one (next start).
                var definition = Inactive ? catalog.FindPersistent(name) ?? catalog.Get(name).Definition : catalog.Get(name).Definition;
                var xml = NetworkXml.Format(definition);
                if (Path is null)
                {
                    WriteObject(xml);
                    return;
                }
                var target = GetUnresolvedProviderPathFromPSPath(Path);
                if (Directory.Exists(target)) target = System.IO.Path.Combine(target, name + ".xml");
                if (ShouldProcess(target, $"Write network '{name}' as libvirt XML")) Write(target, xml);
            });
    }

    private void Write(string target, string xml)
    {
        try { ModuleContext.WriteFile(target, xml); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NetworkProblemException(ErrorIds.ExportFailed, ProblemCategory.WriteError,
                $"Cannot write '{Path}': {e.Message} Choose a path you can write.", Path);
        }
    }
}
