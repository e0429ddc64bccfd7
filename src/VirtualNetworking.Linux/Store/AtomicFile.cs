namespace VirtualNetworking.Linux.Store;

/// <summary>
/// The name Export-VNetwork, Initialize-VNetworkHost and bench/lifecycle.ps1 call <see cref="Platform.AtomicFile"/>
/// by (one implementation, shared with vnetd); it goes once they call that directly.
/// </summary>
public static class AtomicFile
{
    /// <inheritdoc cref="Platform.AtomicFile.WriteAllText"/>
    public static void WriteAllText(string path, string content, bool durable = true) => Platform.AtomicFile.WriteAllText(path, content, durable);

    /// <inheritdoc cref="Platform.AtomicFile.SyncDirectory"/>
    public static void SyncDirectory(string directory) => Platform.AtomicFile.SyncDirectory(directory);
}
