using System.Globalization;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// The last handle nft allocated in each of our tables. The kernel numbers a table's chains and rules from one
/// counter, in the order of the transaction; knowing it lets the apply predict its rules' handles without
/// `nft -e` (whose echo makes nft 1.0.x dump the whole ruleset first, O(rules)). 0 = the table is absent (a
/// new one starts counting at 1). The prediction is checked inside the same transaction (see
/// <see cref="FirewallPlanner.BuildApplyTransaction(FirewallPlan, int, HandleCounters, IReadOnlyList{RuleHandle}?)"/>),
/// so a wrong one fails the transaction instead of recording wrong handles.
/// </summary>
public sealed record HandleCounters(long Ip, long Ip6)
{
    /// <summary>Both tables absent: what our removal leaves behind.</summary>
    public static HandleCounters Absent { get; } = new(0, 0);

    public long For(NftFamily family) => family == NftFamily.Ip ? Ip : Ip6;

    public HandleCounters With(NftFamily family, long value) => family == NftFamily.Ip ? this with { Ip = value } : this with { Ip6 = value };

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ip={Ip} ip6={Ip6}");

    /// <summary>Null for anything that is not exactly <see cref="ToString"/>'s format (then the counters are unknown).</summary>
    public static HandleCounters? TryParse(string? text)
    {
        var parts = text?.Trim().Split(' ');
        if (parts is not [var ip, var ip6] || !ip.StartsWith("ip=", StringComparison.Ordinal) || !ip6.StartsWith("ip6=", StringComparison.Ordinal)) return null;
        return long.TryParse(ip.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var a)
            && long.TryParse(ip6.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? new HandleCounters(a, b) : null;
    }
}

/// <summary>An apply transaction with the handles its rules will get and the counters after it.</summary>
public sealed record PredictedApply(NftTransaction Transaction, IReadOnlyList<RuleHandle> Handles, HandleCounters After);
