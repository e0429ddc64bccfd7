namespace VirtualNetworking.Core.Firewall;

/// <summary>The nftables address families we (like libvirt) use: separate ip and ip6 tables.</summary>
public enum NftFamily
{
    Ip,
    Ip6,
}

public static class NftFamilyNames
{
    public static string ToNft(this NftFamily family) => family == NftFamily.Ip ? "ip" : "ip6";

    public static bool TryParse(string? text, out NftFamily family)
    {
        family = text == "ip6" ? NftFamily.Ip6 : NftFamily.Ip;
        return text is "ip" or "ip6";
    }
}
