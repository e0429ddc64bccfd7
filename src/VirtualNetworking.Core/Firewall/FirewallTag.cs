using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// The nft comment that marks a network's rules, so removal finds exactly that network's rules by listing
/// our table (no saved handles needed). Network names come from users, so they never appear raw: the UUID
/// if there is one, else a hash of the name (also keeps the comment under nft's 128-byte limit).
/// </summary>
public static class FirewallTag
{
    /// <summary>Every per-network rule's comment starts with this; other rules of our table are shared.</summary>
    public const string Prefix = "vnet:";

    public static string For(Guid? uuid, string name) => uuid is { } id
        ? Prefix + id.ToString("D", CultureInfo.InvariantCulture)
        : Prefix + "name-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..32];

    public static bool IsNetworkTag(string? comment) => comment is not null && comment.StartsWith(Prefix, StringComparison.Ordinal);
}
