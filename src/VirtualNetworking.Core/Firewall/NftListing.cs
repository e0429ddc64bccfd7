using System.Text.Json.Nodes;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// What `nft -j list table …` reported about our tables: which exist, their rules (handle + comment are all removal
/// needs) and the port forwards' elements. Other tables in the documents are ignored.
/// </summary>
public sealed record NftListing(IReadOnlyList<NftFamily> Tables, IReadOnlyList<ListedRule> Rules, IReadOnlyList<ListedElement> Elements)
{
    public static NftListing Empty { get; } = new([], [], []);

    /// <summary>Parses one or more `nft -j list …` outputs (e.g. the ip and the ip6 table).</summary>
    public static NftListing Parse(IEnumerable<JsonNode?> documents)
    {
        var tables = new List<NftFamily>();
        var rules = new List<ListedRule>();
        var elements = new List<ListedElement>();
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
                else if ((item["map"] ?? item["set"]) is JsonObject set && IsOurs(set, "table", out var setFamily))
                    elements.AddRange(ElementsOf(setFamily, set));
            }
        }
        return new NftListing(tables, rules, GuestsOfPorts(elements));
    }

    /// <summary>
    /// The guest each element sends to: an address map's element's value, a forwarded element's first field; a port map's
    /// element (its value is a port) gets it from its address map's element with the same key.
    /// </summary>
    private static IEnumerable<ListedElement> ElementsOf(NftFamily family, JsonObject set)
    {
        var name = (string?)set["name"] ?? "";
        if (set["elem"] is not JsonArray items) yield break;
        foreach (var item in items)
        {
            if (item is null) continue;
            var (key, value) = item is JsonArray { Count: 2 } pair ? (pair[0]!, pair[1]) : (item, null);
            var guest = name == FirewallLayout.Forwarded ? key["concat"] is JsonArray { Count: > 0 } fields ? AddressOf(fields[0]) : null
                : PortMapOf.ContainsKey(name) ? AddressOf(value) : null;
            yield return new ListedElement(family, name, key, guest);
        }
    }

    private static List<ListedElement> GuestsOfPorts(List<ListedElement> elements)
    {
        var guests = elements.Where(e => PortMapOf.ContainsKey(e.Set) && e.Guest is not null)
            .GroupBy(e => (e.Family, Map: PortMapOf[e.Set], Key: e.Key.ToJsonString()))
            .ToDictionary(g => g.Key, g => g.First().Guest);
        return [.. elements.Select(e => e.Guest is null && guests.TryGetValue((e.Family, e.Set, e.Key.ToJsonString()), out var guest) ? e with { Guest = guest } : e)];
    }

    /// <summary>Each kind's address map and the port map whose elements have the same keys.</summary>
    private static readonly Dictionary<string, string> PortMapOf =
        Enum.GetValues<ForwardKind>().ToDictionary(FirewallLayout.AddressMap, FirewallLayout.PortMap);

    private static System.Net.IPAddress? AddressOf(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && System.Net.IPAddress.TryParse(text, out var address) ? address : null;

    public static NftListing Parse(params string[] jsonDocuments) => Parse(jsonDocuments.Select(d => JsonNode.Parse(d)));

    private static bool IsOurs(JsonObject node, string tableKey, out NftFamily family) =>
        NftFamilyNames.TryParse((string?)node["family"], out family) && (string?)node[tableKey] == FirewallLayout.TableName;
}

/// <summary>A rule of our table as listed.</summary>
/// <param name="Comment">The network's <see cref="FirewallTag"/>, or null for shared rules (forward jumps).</param>
public sealed record ListedRule(NftFamily Family, string Chain, long Handle, string? Comment);

/// <summary>An element of one of our port forward sets or maps as listed.</summary>
/// <param name="Key">As nft wrote it, to delete the element by.</param>
/// <param name="Guest">The guest it sends to or admits (which network's it is); null when not found.</param>
public sealed record ListedElement(NftFamily Family, string Set, JsonNode Key, System.Net.IPAddress? Guest);
