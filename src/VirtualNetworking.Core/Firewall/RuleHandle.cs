using System.Globalization;
using System.Text.Json.Nodes;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// Where one of a network's rules sits in our tables: what `delete rule` needs. Learnt from nft's echo
/// (`nft -e -j -f -`) when the rules are inserted, so removal needs no listing.
/// </summary>
public sealed record RuleHandle(NftFamily Family, string Chain, long Handle)
{
    /// <summary>"ip:guest_nat:12" (chain names are ours and never hold ':').</summary>
    public override string ToString() => $"{Family.ToNft()}:{Chain}:{Handle.ToString(CultureInfo.InvariantCulture)}";

    public static RuleHandle Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 3 || !NftFamilyNames.TryParse(parts[0], out var family) || parts[1].Length == 0
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var handle))
            throw new FormatException($"'{text}' is not a rule handle (family:chain:handle).");
        return new RuleHandle(family, parts[1], handle);
    }

    /// <summary>
    /// The handles of the rules tagged <paramref name="networkTag"/> in nft's echo of an apply transaction
    /// (the commands as sent, each rule with its new "handle"). The shared forward jumps carry no tag.
    /// </summary>
    public static IReadOnlyList<RuleHandle> ParseEcho(string echoJson, string networkTag)
    {
        ArgumentException.ThrowIfNullOrEmpty(networkTag);
        var handles = new List<RuleHandle>();
        if (string.IsNullOrWhiteSpace(echoJson) || JsonNode.Parse(echoJson)?["nftables"] is not JsonArray items) return handles;
        foreach (var command in items.OfType<JsonObject>())
            foreach (var (verb, body) in command)
            {
                if (verb is not ("insert" or "add") || body?["rule"] is not JsonObject rule) continue;
                if ((string?)rule["comment"] != networkTag || (string?)rule["table"] != FirewallLayout.TableName) continue;
                if (!NftFamilyNames.TryParse((string?)rule["family"], out var family)) continue;
                handles.Add(new RuleHandle(family, (string?)rule["chain"] ?? "",
                    (long?)rule["handle"] ?? throw new FormatException("nft echoed a rule without a handle.")));
            }
        return handles;
    }

    /// <summary>
    /// Our tables an echoed apply created: nft echoes a table's handle only when the transaction created it (adding a
    /// table that exists is a no-op and echoes none).
    /// </summary>
    public static IReadOnlyList<NftFamily> CreatedTablesFromEcho(string echoJson)
    {
        var created = new List<NftFamily>();
        if (string.IsNullOrWhiteSpace(echoJson) || JsonNode.Parse(echoJson)?["nftables"] is not JsonArray items) return created;
        foreach (var command in items.OfType<JsonObject>())
            foreach (var (_, body) in command)
                if (body?["table"] is JsonObject table && (string?)table["name"] == FirewallLayout.TableName && table["handle"] is not null
                    && NftFamilyNames.TryParse((string?)table["family"], out var family) && !created.Contains(family))
                    created.Add(family);
        return created;
    }

    /// <summary>
    /// The counters after an echoed apply: per family the highest chain or rule handle echoed (the apply always
    /// adds rules to both tables, so both appear).
    /// </summary>
    public static HandleCounters CountersFromEcho(string echoJson)
    {
        var counters = HandleCounters.Absent;
        if (string.IsNullOrWhiteSpace(echoJson) || JsonNode.Parse(echoJson)?["nftables"] is not JsonArray items) return counters;
        foreach (var command in items.OfType<JsonObject>())
            foreach (var (_, body) in command)
                foreach (var kind in (string[])["chain", "rule"])
                {
                    if (body?[kind] is not JsonObject node || (string?)node["table"] != FirewallLayout.TableName) continue;
                    if (!NftFamilyNames.TryParse((string?)node["family"], out var family) || (long?)node["handle"] is not { } handle) continue;
                    if (handle > counters.For(family)) counters = counters.With(family, handle);
                }
        return counters;
    }
}
