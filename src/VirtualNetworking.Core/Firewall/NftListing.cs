using System.Text.Json.Nodes;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// What `nft -j list table …` reported about our tables: which exist and their rules (handle + comment are
/// all removal needs). Other tables in the documents are ignored.
/// </summary>
public sealed record NftListing(IReadOnlyList<NftFamily> Tables, IReadOnlyList<ListedRule> Rules)
{
    public static NftListing Empty { get; } = new([], []);

    /// <summary>Parses one or more `nft -j list …` outputs (e.g. the ip and the ip6 table).</summary>
    public static NftListing Parse(IEnumerable<JsonNode?> documents)
    {
        var tables = new List<NftFamily>();
        var rules = new List<ListedRule>();
        foreach (var document in documents)
        {
            if (document?["nftables"] is not JsonArray items) continue;
            foreach (var item in items.OfType<JsonObject>())
            {
                if (item["table"] is JsonObject table && IsOurs(table, "name", out var tableFamily) && !tables.Contains(tableFamily))
                    tables.Add(tableFamily);
                else if (item["rule"] is JsonObject rule && IsOurs(rule, "table", out var ruleFamily))
                    rules.Add(new ListedRule(
                        ruleFamily,
                        (string?)rule["chain"] ?? "",
                        (long?)rule["handle"] ?? throw new FormatException("nft listed a rule without a handle."),
                        (string?)rule["comment"]));
            }
        }
        return new NftListing(tables, rules);
    }

    public static NftListing Parse(params string[] jsonDocuments) => Parse(jsonDocuments.Select(d => JsonNode.Parse(d)));

    private static bool IsOurs(JsonObject node, string tableKey, out NftFamily family) =>
        NftFamilyNames.TryParse((string?)node["family"], out family) && (string?)node[tableKey] == FirewallLayout.TableName;
}

/// <summary>A rule of our table as listed.</summary>
/// <param name="Comment">The network's <see cref="FirewallTag"/>, or null for shared rules (forward jumps).</param>
public sealed record ListedRule(NftFamily Family, string Chain, long Handle, string? Comment);
