using System.Globalization;
using System.Text;
using static VirtualNetworking.Core.Firewall.FirewallLayout;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// Renders a plan as the `nft` command lines libvirt runs, in the format of libvirt's test files
/// (networkxml2firewalldata/*-linux.nftables: one argument per line, `\` continuation). Used for conformance
/// only: our table is written as libvirt's, the bridge by name (as libvirt's CLI arguments), and our additions
/// (<see cref="FirewallRule.IsLibvirtRule"/> false) are left out. Never executed: applying uses nft JSON.
/// </summary>
public static class LibvirtCommandRenderer
{
    public static string RenderRules(FirewallPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        foreach (var rule in plan.Rules.Where(r => r.IsLibvirtRule))
            AppendCommand(text, ["-ae insert", "rule", rule.Family.ToNft(), LibvirtTableName, rule.Chain, .. RuleArguments(rule, plan.Network)]);
        return text.ToString();
    }

    /// <summary>libvirt's one-time creation of its tables and chains (base.nftables).</summary>
    public static string RenderBase()
    {
        var text = new StringBuilder();
        foreach (var family in Families)
        {
            var f = family.ToNft();
            AppendCommand(text, ["list", "table", f, LibvirtTableName]);
            AppendCommand(text, ["add", "table", f, LibvirtTableName]);
            AppendCommand(text, ["add", "chain", f, LibvirtTableName, Forward, "{ type filter hook forward priority 0; policy accept; }"]);
            foreach (var chain in new[] { GuestOutput, GuestInput, GuestCross })
            {
                AppendCommand(text, ["add", "chain", f, LibvirtTableName, chain]);
                AppendCommand(text, ["insert", "rule", f, LibvirtTableName, Forward, "counter", "jump", chain]);
            }
            AppendCommand(text, ["add", "chain", f, LibvirtTableName, GuestNat, "{ type nat hook postrouting priority 100; policy accept; }"]);
        }
        return text.ToString();
    }

    private static IEnumerable<string> RuleArguments(FirewallRule rule, FirewallNetwork network)
    {
        foreach (var match in rule.Matches)
            foreach (var argument in MatchArguments(match, network.BridgeName))
                yield return argument;
        yield return "counter";
        foreach (var argument in ActionArguments(rule.Action))
            yield return argument;
    }

    private static IEnumerable<string> MatchArguments(RuleMatch match, string bridge) => match switch
    {
        BridgeMatch m => [m.Direction == InterfaceDirection.In ? "iif" : "oif", bridge],
        InterfaceNameMatch m => [m.Direction == InterfaceDirection.In ? "iifname" : "oifname", m.Name],
        AddressMatch m => m.Negated
            ? [AddressProtocol(m), AddressKey(m), "!=", FormatPrefix(m)]
            : [AddressProtocol(m), AddressKey(m), FormatPrefix(m)],
        L4ProtocolMatch m => ["meta", "l4proto", m.Protocol],
        RelatedOrEstablishedMatch => ["ct", "state", "related,established"],
        DestinationPortMatch m => [m.Protocol, "dport", m.Port.ToString(CultureInfo.InvariantCulture)],
        _ => throw new ArgumentOutOfRangeException(nameof(match), match, "Unknown match."),
    };

    private static IEnumerable<string> ActionArguments(RuleAction action) => action switch
    {
        AcceptAction => ["accept"],
        RejectAction => ["reject"],
        ReturnAction => ["return"],
        JumpAction j => ["jump", j.Chain],
        MasqueradeAction { Ports: null } => ["masquerade"],
        MasqueradeAction m => ["masquerade", "to", ":" + FormatPorts(m.Ports!)],
        SnatAction s => ["snat", "to", FormatSnatTarget(s)],
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown action."),
    };

    private static string AddressProtocol(AddressMatch m) => m.Network.IsIPv6 ? "ip6" : "ip";
    private static string AddressKey(AddressMatch m) => m.Field == AddressField.Source ? "saddr" : "daddr";
    private static string FormatPrefix(AddressMatch m) => $"{m.Network.Address}/{m.Network.PrefixLength}";

    private static string FormatPorts(NatPortRange ports) => ports.IsSinglePort
        ? ports.Start.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{ports.Start}-{ports.End}");

    private static string FormatSnatTarget(SnatAction snat)
    {
        var addresses = snat.Addresses.End is { } end ? $"{snat.Addresses.Start}-{end}" : snat.Addresses.Start.ToString();
        return snat.Ports is null ? addresses : addresses + ":" + FormatPorts(snat.Ports);
    }

    /// <summary>libvirt's virCommandToString with line breaks: "nft \", then one argument per line.</summary>
    private static void AppendCommand(StringBuilder text, IReadOnlyList<string> arguments)
    {
        text.Append("nft \\\n");
        for (var i = 0; i < arguments.Count; i++)
        {
            // "-ae insert" is one line in libvirt's output: an option and its following word share a line.
            text.Append(arguments[i] == "-ae insert" ? arguments[i] : ShellQuote(arguments[i]));
            text.Append(i < arguments.Count - 1 ? " \\\n" : "\n");
        }
    }

    /// <summary>libvirt's virBufferEscapeShell: single-quote words with characters the shell would interpret.</summary>
    private static string ShellQuote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:,=+@%^".Contains(c))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
