using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>Tab completion of defined network names, quoted when they need it.</summary>
public sealed class NetworkNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ArgumentCompletion.Complete(wordToComplete, () => ModuleContext.Catalog().List().Select(r => r.Definition.Name));
}
