using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>Tab completion of the reserved addresses of the network given with -Network (else of every defined network).</summary>
public sealed class ReservationAddressCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ArgumentCompletion.Complete(wordToComplete, () =>
        {
            var reservations = ModuleContext.Reservations();
            return (ArgumentCompletion.Networks(fakeBoundParameters) ?? ModuleContext.Catalog().List().Select(r => r.Definition.Name))
                .SelectMany(reservations.List).Select(r => r.IPAddress.ToString());
        });
}
