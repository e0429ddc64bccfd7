using System.Collections;
using System.Collections.Specialized;
using System.Management.Automation;
using System.Management.Automation.Language;
using VirtualNetworking.Core.Desired;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>
/// The document of Invoke- and Test-VNetworkConfiguration: a .psd1 or .json file (-Path) or a hashtable
/// (-Configuration), read into Core's document model; a bad document terminates the command before any change.
/// </summary>
public abstract class ConfigurationCommandBase : VNetworkCommandBase
{
    protected const string PathSet = "Path";
    protected const string ConfigurationSet = "Configuration";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = ConfigurationSet, ValueFromPipeline = true)]
    public IDictionary Configuration { get; set; } = new Hashtable();

    /// <summary>Networks the document does not declare are removed (or, by Test-, count as differences).</summary>
    [Parameter]
    public SwitchParameter Prune { get; set; }

    protected ConfigurationPlan PlanHost() => ForAll(() =>
    {
        var configuration = ParameterSetName == PathSet ? ReadFile(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path))
            : ConfigurationDocument.Parse(Plain(Configuration));
        return ConfigurationPlanner.Plan(configuration, ModuleContext.Catalog().List(), Prune);
    });

    private const string WithConfiguration = "pass the document as a hashtable with -Configuration";

    private static DesiredConfiguration ReadFile(string file)
    {
        var text = UserFile.ReadText(file, ConfigurationDocument.MaxDocumentBytes, length =>
            new NetworkProblem(ErrorIds.ConfigurationFileInvalid, ProblemCategory.InvalidData,
                $"File '{file}' is {length} bytes; configuration documents are limited to {ConfigurationDocument.MaxDocumentBytes} bytes (4 MiB).", file),
            WithConfiguration);
        return file.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ConfigurationDocument.ParseJson(text, file) : ConfigurationDocument.Parse(ReadDataFile(text, file));
    }

    /// <summary>
    /// Import-PowerShellDataFile's rules: the file is parsed, never run, and must be one hashtable of constant values
    /// (SafeGetValue refuses commands, variables other than $true, $false and $null, and script blocks).
    /// </summary>
    private static object? ReadDataFile(string text, string file)
    {
        var ast = Parser.ParseInput(text, out _, out var errors);
        if (errors.Length > 0)
            throw FileInvalid(file, $"{errors[0].Message} (line {errors[0].Extent.StartLineNumber})");
        if (ast.Find(a => a is HashtableAst, searchNestedScriptBlocks: false) is not HashtableAst data)
            throw FileInvalid(file, "it holds no hashtable");
        try { return data.SafeGetValue(); }
        catch (InvalidOperationException e) { throw FileInvalid(file, e.Message); }
    }

    private static NetworkProblemException FileInvalid(string file, string why) =>
        new(ErrorIds.ConfigurationFileInvalid, ProblemCategory.InvalidData,
            $"'{file}' is not a PowerShell data file: {why}. Write it as one hashtable of constant values, e.g. @{{ Networks = @( @{{ Name = 'lab' }} ) }}.", file);

    /// <summary>
    /// The tree as Core reads it: values a pipeline wrapped in PSObject are unwrapped, and dictionaries keep every key
    /// as given, so that keys differing only in case are reported, not merged.
    /// </summary>
    private static object? Plain(object? value)
    {
        switch (value is PSObject wrapped ? wrapped.BaseObject : value)
        {
            case IDictionary map:
                var copy = new OrderedDictionary();
                foreach (DictionaryEntry entry in map) copy.Add(entry.Key, Plain(entry.Value));
                return copy;
            case string text:
                return text;
            case IList list:
                return list.Cast<object?>().Select(Plain).ToList();
            case var other:
                return other;
        }
    }
}
