using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>Tab completion of guest port names, of the networks given with -Network when there are any.</summary>
public sealed class PortNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ArgumentCompletion.Complete(wordToComplete, () =>
        {
            var service = ModuleContext.GuestPorts();
            var networks = ArgumentCompletion.Networks(fakeBoundParameters);
            var ports = networks is null ? service.List(null) : networks.SelectMany(n => service.List(n));
            return ports.Select(s => s.Port.Name);
        });
}
