using System.Management.Automation;
using System.Text;
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
                WriteProblems([FileNotFound(path)]);
                continue;
            }
            foreach (var file in resolved) yield return file;
        }
    }

    /// <summary>Size is checked before reading, so a huge file is refused without loading it.</summary>
    private string? ReadDocument(string file)
    {
        string? text = null;
        ForTarget(file, () =>
        {
            try
            {
                var info = new FileInfo(file);
                if (!info.Exists) throw new NetworkProblemException(FileNotFound(file));
                if (info.Length > NetworkXml.MaxDocumentBytes)
                    throw new NetworkProblemException(ErrorIds.XmlTooLarge, ProblemCategory.InvalidData,
                        $"File '{file}' is {info.Length} bytes; network documents are limited to {NetworkXml.MaxDocumentBytes} bytes (1 MiB). Check that this is a libvirt network XML file.", file);
                text = File.ReadAllText(file, Encoding.UTF8);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new NetworkProblemException(ErrorIds.FileUnreadable, ProblemCategory.ReadError, $"Cannot read '{file}': {e.Message}", file);
            }
        });
        return text;
    }

    private static NetworkProblem FileNotFound(string path) =>
        new(ErrorIds.FileNotFound, ProblemCategory.ObjectNotFound, $"File '{path}' does not exist. Check the path, or pass the XML with -Xml.", path);

    private void Define(string text, string source) =>
        ForTarget(source, () =>
        {
            var definition = NetworkXml.Parse(text);
            if (!ShouldProcess(definition.Name, $"Define virtual network from {source}")) return;
            WriteObject(new VNetwork(ModuleContext.Catalog().Import(definition)));
        });
}
