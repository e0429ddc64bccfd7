namespace VirtualNetworking.Core.Health;

/// <summary>
/// Another party's ruleset, from nft's JSON or an iptables-save text, reduced to what decides a packet's fate:
/// chains of rules, each a list of matches and one verdict. Base chains carry their hook and policy.
/// </summary>
internal sealed record FirewallTable(string Source, string Family, string Name, IReadOnlyDictionary<string, FirewallChain> Chains)
{
    /// <summary>Who probably wrote it, by the names they use (for the Detail and the Remedy).</summary>
    public FirewallOwner Owner =>
        Chains.ContainsKey("DOCKER-USER") ? FirewallOwner.Docker
        : Chains.Keys.Any(c => c.StartsWith("ufw", StringComparison.Ordinal)) ? FirewallOwner.Ufw
        : Name == "firewalld" ? FirewallOwner.Firewalld
        // iptables-nft's tables, seen through nft's JSON, keep iptables' chain names.
        : Source != FirewallSources.Nft || Chains.ContainsKey("INPUT") || Chains.ContainsKey("FORWARD") ? FirewallOwner.Iptables
        : FirewallOwner.Nft;
}

internal enum FirewallOwner
{
    Nft,
    Iptables,
    Docker,
    Ufw,
    Firewalld,
}

internal static class FirewallSources
{
    public const string Nft = "nft";
    public const string IptablesNft = "iptables-nft";
    public const string IptablesLegacy = "iptables-legacy";
}

/// <param name="Hook">Null for a regular chain.</param>
/// <param name="PolicyDrops">A base chain's policy is drop.</param>
internal sealed record FirewallChain(string Name, FirewallHook? Hook, bool PolicyDrops, IReadOnlyList<FirewallChainRule> Rules);

/// <param name="Label">How the Detail names the rule: "handle 12" (nft) or "rule 3" (iptables-save order).</param>
internal sealed record FirewallChainRule(string Label, IReadOnlyList<FirewallMatch> Matches, FirewallVerdict Verdict);

/// <param name="Test">The match on a packet.</param>
/// <param name="Unsure">Why a Maybe is a Maybe ("xt match physdev"), for the Warning's Detail.</param>
internal sealed record FirewallMatch(Func<FirewallPacket, Tri> Test, string Unsure);

internal enum VerdictKind
{
    Accept,
    Drop,
    Return,
    Continue,
    Jump,
    Goto,
    /// <summary>A verdict the analysis cannot follow (queue, an unknown target): accept or drop.</summary>
    Unknown,
}

internal sealed record FirewallVerdict(VerdictKind Kind, string? Target = null)
{
    public static FirewallVerdict Accept { get; } = new(VerdictKind.Accept);
    public static FirewallVerdict Drop { get; } = new(VerdictKind.Drop);
    public static FirewallVerdict Return { get; } = new(VerdictKind.Return);
    public static FirewallVerdict Continue { get; } = new(VerdictKind.Continue);
    public static FirewallVerdict Unknown(string what) => new(VerdictKind.Unknown, what);
}

/// <summary>Where a packet is dropped: the table, the base chain it entered, and the chain and rule (or policy) that dropped it.</summary>
internal sealed record DropSite(FirewallTable Table, string BaseChain, string Chain, string? Rule)
{
    /// <summary>"table ip filter, chain FORWARD (Docker)".</summary>
    public string Where
    {
        get
        {
            var legacy = Table.Source == FirewallSources.IptablesLegacy ? " (iptables-legacy)" : "";
            var owner = Table.Owner switch
            {
                FirewallOwner.Docker => " (Docker)",
                FirewallOwner.Ufw => " (ufw)",
                FirewallOwner.Firewalld => " (firewalld)",
                FirewallOwner.Iptables => " (iptables: Docker?)",
                _ => "",
            };
            return $"table {Table.Family} {Table.Name}{legacy}, chain {BaseChain}{owner}";
        }
    }

    public string Drops(string bridge) => Rule is null
        ? $"{Where} has policy drop and no rule accepting {bridge}'s traffic"
        : $"{Where} drops {bridge}'s traffic{(Chain == BaseChain ? "" : $" in chain {Chain}")} ({Rule})";
}

/// <summary>
/// What can become of a packet from a point in a chain: accepted, dropped (the first drop seen), or back at the
/// chain's end. More than one when a Maybe match splits the path; <see cref="Unsure"/> says which match did.
/// </summary>
internal readonly record struct Outcome(bool Accept, DropSite? Drop, bool Return, string? Unsure)
{
    public static Outcome Accepted => new(true, null, false, null);
    public static Outcome Returned => new(false, null, true, null);
    public static Outcome Dropped(DropSite site) => new(false, site, false, null);

    public Outcome Or(Outcome other, string? why) =>
        new(Accept || other.Accept, Drop ?? other.Drop, Return || other.Return, Unsure ?? other.Unsure ?? why);

    public bool SameCases(Outcome other) => Accept == other.Accept && Drop is null == other.Drop is null && Return == other.Return;
}

/// <summary>The fate of one packet in one base chain: certainly dropped, maybe dropped, or passed.</summary>
internal sealed record ChainFate(DropSite? Drop, bool Certain, string? Unsure);

/// <summary>
/// nftables' evaluation of one base chain: rules in order, jump/goto/return into regular chains, the policy at
/// the end. A Maybe match follows both paths (memoized per rule, so a ruleset full of them stays linear).
/// </summary>
internal sealed class ChainEvaluator(FirewallTable table, string baseChain, FirewallPacket packet)
{
    // nft refuses deeper jump stacks; a deeper one here is a ruleset the analysis misread.
    private const int MaxDepth = 64;
    private readonly Dictionary<(string Chain, int Index), Outcome> _memo = [];

    public ChainFate Run()
    {
        var chain = table.Chains[baseChain];
        var outcome = From(chain, 0, 0);
        if (outcome.Return)
            outcome = outcome.Or(chain.PolicyDrops ? Outcome.Dropped(new DropSite(table, baseChain, baseChain, null)) : Outcome.Accepted, null)
                with { Return = false };
        return new ChainFate(outcome.Drop, outcome.Drop is not null && !outcome.Accept, outcome.Unsure);
    }

    private Outcome From(FirewallChain chain, int index, int depth)
    {
        if (index >= chain.Rules.Count) return Outcome.Returned;
        if (_memo.TryGetValue((chain.Name, index), out var known)) return known;
        var rule = chain.Rules[index];
        var match = Tri.True;
        string? unsure = null;
        foreach (var m in rule.Matches)
        {
            var result = m.Test(packet);
            if (result == Tri.False) { match = Tri.False; break; }
            if (result == Tri.Maybe) { match = Tri.Maybe; unsure ??= m.Unsure; }
        }
        Outcome outcome;
        if (match == Tri.False) outcome = From(chain, index + 1, depth);
        else
        {
            var taken = Apply(chain, index, rule, depth);
            if (match == Tri.True) outcome = taken;
            else
            {
                var skipped = From(chain, index + 1, depth);
                outcome = taken.Or(skipped, taken.SameCases(skipped) ? null : unsure);
            }
        }
        _memo[(chain.Name, index)] = outcome;
        return outcome;
    }

    private Outcome Apply(FirewallChain chain, int index, FirewallChainRule rule, int depth)
    {
        var verdict = rule.Verdict;
        switch (verdict.Kind)
        {
            case VerdictKind.Accept: return Outcome.Accepted;
            case VerdictKind.Drop: return Outcome.Dropped(new DropSite(table, baseChain, chain.Name, rule.Label));
            case VerdictKind.Return: return Outcome.Returned;
            case VerdictKind.Continue: return From(chain, index + 1, depth);
            case VerdictKind.Jump or VerdictKind.Goto when depth < MaxDepth && table.Chains.TryGetValue(verdict.Target!, out var target):
                var sub = From(target, 0, depth + 1);
                if (verdict.Kind == VerdictKind.Goto || !sub.Return) return sub;
                return (sub with { Return = false }).Or(From(chain, index + 1, depth), null);
            default:
                var what = verdict.Kind == VerdictKind.Unknown ? verdict.Target : $"a {verdict.Kind.ToString().ToLowerInvariant()} to {verdict.Target}";
                return new Outcome(true, new DropSite(table, baseChain, chain.Name, rule.Label), false, $"{what} in chain {chain.Name}");
        }
    }
}
