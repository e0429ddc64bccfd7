using System.Text.Json.Nodes;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// One nft JSON document ({"nftables":[…]}) for `nft -j -f -`: the kernel applies all of its commands or
/// none. User-supplied names only ever appear as JSON string values, never in a script line.
/// </summary>
public sealed class NftTransaction
{
    private readonly List<JsonObject> commands = [];

    public bool IsEmpty => commands.Count == 0;
    public IReadOnlyList<JsonObject> Commands => commands;

    internal void Add(string verb, string objectKind, JsonObject body) =>
        commands.Add(new JsonObject { [verb] = new JsonObject { [objectKind] = body } });

    public JsonObject ToDocument() => new() { ["nftables"] = new JsonArray([.. commands.Select(c => c.DeepClone())]) };

    public string ToJsonString() => ToDocument().ToJsonString();

    public override string ToString() => ToJsonString();
}
