using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Model;

/// <summary>What libvirt fills in at define/create (bridge-name and subnet allocation need host data and live elsewhere).</summary>
public static class NetworkDefaults
{
    /// <summary>The OUI libvirt (and QEMU) use for generated MACs.</summary>
    public static readonly byte[] MacPrefix = [0x52, 0x54, 0x00];

    /// <summary>
    /// Fills a missing bridge MAC (52:54:00 + 3 random bytes) for the modes whose bridge we create, and a missing UUID.
    /// Randomness comes from the caller so that tests are deterministic (libvirt's tests get 52:54:00:00:00:00).
    /// </summary>
    public static void Apply(NetworkDefinition definition, Func<byte[]> random3Bytes, Func<Guid> newUuid)
    {
        ArgumentNullException.ThrowIfNull(definition);
        definition.Uuid ??= newUuid();
        if (definition.MacAddress is not null || !NetworkModeNames.IsManagedBridge(definition.Mode)) return;
        var random = random3Bytes();
        if (random.Length != 3) throw new ArgumentException("The MAC generator must return exactly 3 bytes.", nameof(random3Bytes));
        definition.MacAddress = MacAddressText.Format([.. MacPrefix, .. random]);
    }
}
