using System.Management.Automation;
using System.Reflection;
using VirtualNetworking.Core.Problems;
using static VirtualNetworking.PowerShell.Tests.TheModule;

namespace VirtualNetworking.PowerShell.Tests;

/// <summary>
/// Each cmdlet's help lists the ids it can raise, as its IL says, and no other; the ids of a network document's
/// rules, reachable from nearly every cmdlet through the stores, are explained once, in about_VirtualNetworking.
/// </summary>
public class ErrorIdDocsTests
{
    public static TheoryData<string> CmdletNames => new(Cmdlets.Select(CmdletName));

    /// <summary>Words shaped like ids that are not ids: the cmdlets' nouns and the module's type names.</summary>
    private static readonly IReadOnlySet<string> NotIds = Cmdlets
        .Select(c => c.GetCustomAttribute<CmdletAttribute>()!.NounName)
        .Concat(CmdletAssembly.GetExportedTypes().Select(t => t.Name))
        .ToHashSet();

    /// <summary>What a page must list: what its cmdlet can raise, less the definition problems and the test-only id.</summary>
    private static IEnumerable<string> MustList(string cmdlet) =>
        IdsReachableFrom(Cmdlet(cmdlet)).Where(id => !DefinitionIds.Contains(id) && id != ErrorIds.TestFault);

    private static IEnumerable<HelpEntry> Entries(HelpPage page) => page.Errors.Concat(page.Warnings);

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void A_page_has_one_well_formed_errors_list(string cmdlet)
    {
        var page = HelpPage.OfCmdlet(cmdlet);

        Assert.Equal(1, page.CountOf(HelpPage.ErrorsList));
        Assert.InRange(page.CountOf(HelpPage.WarningsList), 0, 1);
        var malformed = Entries(page).Where(e => e.Text.Length == 0 || !(Catalogue.Contains(e.Key) || e.Key == HelpPage.DefinitionProblemsKey)).ToList();
        var repeated = Entries(page).GroupBy(e => e.Key).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Found.Nothing(malformed.Select(e => e.Key), $"{page.Path}: list items that are not 'VNetworkId: explanation' or the '{HelpPage.DefinitionProblemsKey}' line");
        Found.Nothing(repeated, $"{page.Path}: ids listed twice");
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void A_page_lists_every_id_its_cmdlet_can_raise(string cmdlet)
    {
        var listed = Entries(HelpPage.OfCmdlet(cmdlet)).Select(e => e.Key).ToHashSet();
        var unlisted = MustList(cmdlet).Where(id => !listed.Contains(id)).Order(StringComparer.Ordinal).ToList();

        Found.Nothing(unlisted, $"docs/cmdlets/{cmdlet}.md does not list ids {cmdlet} can raise");
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void A_page_points_to_about_VirtualNetworking_when_its_cmdlet_can_raise_a_definition_problem(string cmdlet)
    {
        var pointer = Entries(HelpPage.OfCmdlet(cmdlet)).SingleOrDefault(e => e.Key == HelpPage.DefinitionProblemsKey);

        Assert.Equal(IdsReachableFrom(Cmdlet(cmdlet)).Any(DefinitionIds.Contains), pointer is not null);
        if (pointer is not null) Assert.Contains("about_VirtualNetworking", pointer.Text);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void A_page_names_no_id_its_cmdlet_cannot_raise(string cmdlet)
    {
        var named = HelpPage.OfCmdlet(cmdlet).NamedIds(NotIds);
        var raised = IdsReachableFrom(Cmdlet(cmdlet));

        var unknown = named.Where(id => !Catalogue.Contains(id)).ToList();
        var cannotRaise = named.Where(id => !DefinitionIds.Contains(id) && !raised.Contains(id)).ToList();

        Found.Nothing(unknown, $"docs/cmdlets/{cmdlet}.md names ids that are not in the catalogue");
        Found.Nothing(cannotRaise, $"docs/cmdlets/{cmdlet}.md names ids {cmdlet} cannot raise");
    }

    /// <summary>A warning does not stop the work and an error does: an id is one or the other on every page.</summary>
    [Fact]
    public void An_id_is_listed_as_a_warning_everywhere_or_nowhere()
    {
        var pages = Cmdlets.Select(c => HelpPage.OfCmdlet(CmdletName(c))).ToList();
        var warnings = pages.SelectMany(p => p.Warnings).Select(e => e.Key).ToHashSet();
        var errors = pages.SelectMany(p => p.Errors).Select(e => e.Key).ToHashSet();

        Found.Nothing(warnings.Intersect(errors), "Ids listed as a warning on one page and as an error on another");
    }

    [Fact]
    public void About_VirtualNetworking_explains_every_definition_problem()
    {
        var entries = HelpPage.About().ListAfter(HelpPage.DefinitionProblemsSection);

        Assert.Equal(DefinitionIds.Order(StringComparer.Ordinal), entries.Select(e => e.Key).Order(StringComparer.Ordinal));
        Found.Nothing(entries.Where(e => e.Text.Length == 0).Select(e => e.Key), "Definition problems without an explanation");
    }

    [Fact]
    public void About_VirtualNetworking_names_only_catalogue_ids()
    {
        var unknown = HelpPage.About().NamedIds(NotIds).Where(id => !Catalogue.Contains(id)).ToList();

        Found.Nothing(unknown, "about_VirtualNetworking names ids that are not in the catalogue");
    }
}
