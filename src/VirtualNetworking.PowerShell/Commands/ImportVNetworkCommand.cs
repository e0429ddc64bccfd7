using System.Management.Automation;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Xml;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>virsh net-define FILE: defines networks from libvirt network XML, files or text.</summary>
[Cmdlet(VerbsData.Import, "VNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = PathSet)]
[OutputType(typeof(VNetwork))]
public sealed class ImportVNetworkCommand : VNetworkCommandBase
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string XmlSet = "Xml";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [SupportsWildcards]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = XmlSet, ValueFromPipeline = true)]
    public string[] Xml { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        if (ParameterSetName == XmlSet)
        {
            foreach (var text in Xml) Define(text, "XML text");
            return;
        }
        foreach (var file in ResolveFiles())
        {
            var text = ReadDocument(file);
            if (text is not null) Define(text, file);
        }
    }

    private IEnumerable<string> ResolveFiles()
    {
        var literal = ParameterSetName == LiteralPathSet;
        foreach (var path in literal ? LiteralPath : Path)
        {
            IEnumerable<string> resolved;
            try
            {
                resolved = literal
                    ? new[] { SessionState.Path.GetUnresolvedProviderPathFromPSPath(path) }
                    : GetResolvedProviderPathFromPSPath(path, out _);
            }
            catch (ItemNotFoundException)
            {
                WriteProblems([UserFile.FileNotFound(path, WithXml)]);
                continue;
            }
            foreach (var file in resolved) yield return file;
        }
    }

    private string? ReadDocument(string file)
    {
        string? text = null;
        ForTarget(file, () => text = UserFile.ReadText(file, NetworkXml.MaxDocumentBytes, length =>
            new NetworkProblem(ErrorIds.XmlTooLarge, ProblemCategory.InvalidData,
                $"File '{file}' is {length} bytes; network documents are limited to {NetworkXml.MaxDocumentBytes} bytes (1 MiB). Check that this is a libvirt network XML file.", file),
            WithXml));
        return text;
    }

    private const string WithXml = "pass the XML with -Xml";

    private void Define(string text, string source) =>
        ForTarget(source, () =>
        {
            var definition = NetworkXml.Parse(text);
            if (!ShouldProcess(definition.Name, $"Define virtual network from {source}")) return;
            WriteObject(new VNetwork(ModuleContext.Catalog().Import(definition)));
        });
}
