namespace VirtualNetworking.Daemon.Tests;

/// <summary>A directory of the test's own under the system's temp directory, deleted with its contents afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("vnetd-tests-");

    public string File(string name) => Path.Combine(_directory.FullName, name);

    public void Dispose() => _directory.Delete(recursive: true);
}
