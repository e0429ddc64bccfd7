using System.Reflection;
using System.Text.RegularExpressions;
using VirtualNetworking.Core.Problems;
using static VirtualNetworking.PowerShell.Tests.TheModule;

namespace VirtualNetworking.PowerShell.Tests;

/// <summary>ErrorIds.cs is the one place an id is written, each id once, and every id is one some cmdlet can raise.</summary>
public partial class ErrorIdCatalogueTests
{
    [GeneratedRegex("\"VNetwork[A-Z]\\w*\"")]
    private static partial Regex IdLiteral();

    /// <summary>Words begin with a capital (a one-letter word too, as in NotABridge); acronyms are words (Xml, Dhcp).</summary>
    [GeneratedRegex("^VNetwork(?!.*[A-Z]{3})(?:[A-Z][a-z0-9]*)+$")]
    private static partial Regex IdForm();

    [Fact]
    public void No_ErrorId_is_written_as_a_literal_outside_the_catalogue()
    {
        var sources = Path.Combine(RepoRoot, "src");
        var catalogue = Path.Combine(sources, "VirtualNetworking.Core", "Problems", "ErrorIds.cs");
        Assert.True(File.Exists(catalogue), $"{catalogue} is where the catalogue is expected.");

        var literals = from file in Directory.EnumerateFiles(sources, "*.cs", SearchOption.AllDirectories)
                       where file != catalogue && !IsBuildOutput(file)
                       from line in File.ReadLines(file).Select((text, index) => (Text: text, Number: index + 1))
                       // [Cmdlet(VerbsCommon.Get, "VNetworkPort")] names a cmdlet's noun, not an ErrorId.
                       where !line.Text.Contains("[Cmdlet(") && IdLiteral().IsMatch(line.Text)
                       select $"{Path.GetRelativePath(RepoRoot, file)}:{line.Number}: {line.Text.Trim()}";

        Found.Nothing(literals, "ErrorIds written as literals outside Problems/ErrorIds.cs (use the ErrorIds constant)");
    }

    /// <summary>The call-graph tests see an id only as an inlined ldstr, so the catalogue must hold constants only.</summary>
    [Fact]
    public void The_catalogue_holds_only_string_constants()
    {
        var members = typeof(ErrorIds).GetMembers(BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance);

        Assert.All(members, m => Assert.True(m is FieldInfo { IsLiteral: true } f && f.FieldType == typeof(string), $"ErrorIds.{m.Name} is not a const string."));
    }

    [Fact]
    public void Every_id_is_unique_and_VNetwork_plus_PascalCase()
    {
        Assert.NotEmpty(Catalogue);
        var repeated = Catalogue.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var malformed = Catalogue.Where(id => !IdForm().IsMatch(id)).ToList();

        Found.Nothing(repeated, "Ids declared more than once");
        Found.Nothing(malformed, "Ids not of the form VNetwork + PascalCase");
    }

    /// <summary>The docs rely on the catalogue's layout: the rules of a network document first, then the rest.</summary>
    [Fact]
    public void The_definition_ids_are_the_first_sections_of_the_catalogue()
    {
        Assert.NotEmpty(DefinitionIds);
        Assert.Equal(Catalogue.Take(DefinitionIds.Count).Order(StringComparer.Ordinal), DefinitionIds.Order(StringComparer.Ordinal));
    }

    /// <summary>An id no cmdlet can raise is dead: remove it, or find the code that should raise it.</summary>
    [Fact]
    public void Every_id_can_be_raised_by_some_cmdlet()
    {
        var raised = Cmdlets.SelectMany(IdsReachableFrom).ToHashSet();
        var dead = Catalogue.Where(id => id != ErrorIds.TestFault && !raised.Contains(id)).ToList();

        Found.Nothing(dead, "Ids no cmdlet can raise (dead)");
    }

    private static bool IsBuildOutput(string file) =>
        file.Split(Path.DirectorySeparatorChar).Any(folder => folder is "bin" or "obj");
}
