using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>Tab completion of defined network names, quoted when they need it.</summary>
public sealed class NetworkNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = WildcardPattern.Get(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        IEnumerable<string> names;
        try { names = ModuleContext.Catalog().List().Select(r => r.Definition.Name); }
        catch (Exception) { yield break; } // completion must never throw at the prompt
        foreach (var name in names.Where(pattern.IsMatch))
        {
            var text = name.Any(c => char.IsWhiteSpace(c) || "'\"`$;,(){}[]&|<>#@".Contains(c))
                ? "'" + name.Replace("'", "''") + "'"
                : name;
            yield return new CompletionResult(text, name, CompletionResultType.ParameterValue, name);
        }
    }
}
