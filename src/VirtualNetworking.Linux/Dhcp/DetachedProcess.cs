using System.Collections;
using System.ComponentModel;
using System.Runtime.InteropServices;
using VirtualNetworking.Linux.Interop;

namespace VirtualNetworking.Linux.Dhcp;

/// <summary>
/// Starts a program that outlives its caller and holds nothing of it: through util-linux `setsid --fork`
/// (a new session, reparented to init, so never our zombie), stdin from /dev/null, stdout and stderr to a
/// log file, every other descriptor closed, default signal dispositions and an empty signal mask.
/// Then `$(pwsh …)` or a test runner never waits on a pipe the daemon inherited.
/// </summary>
internal static unsafe class DetachedProcess
{
    private static readonly string[] SetsidLocations = ["/usr/bin/setsid", "/bin/setsid"];

    public static void Start(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environmentOverrides, string logPath)
    {
        var setsid = SetsidLocations.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("setsid (util-linux) is needed to start the DHCP daemon detached.");
        var argv = new List<string> { "setsid", "--fork", program };
        argv.AddRange(arguments);
        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
        foreach (var (key, value) in environmentOverrides) environment[key] = value;

        var allocations = new List<nint>();
        byte* Utf8(string text)
        {
            var pointer = Marshal.StringToCoTaskMemUTF8(text);
            allocations.Add(pointer);
            return (byte*)pointer;
        }
        byte** NullTerminated(IReadOnlyList<string> items)
        {
            var array = (byte**)Marshal.AllocCoTaskMem((items.Count + 1) * sizeof(nint));
            allocations.Add((nint)array);
            for (var i = 0; i < items.Count; i++) array[i] = Utf8(items[i]);
            array[items.Count] = null;
            return array;
        }

        var actions = stackalloc byte[LibC.SpawnFileActionsSize];
        var attributes = stackalloc byte[LibC.SpawnAttributesSize];
        var signals = stackalloc byte[LibC.SignalSetSize];
        LibC.SpawnFileActionsInit(actions);
        LibC.SpawnAttributesInit(attributes);
        try
        {
            Check(LibC.SpawnFileActionsAddOpen(actions, 0, Utf8("/dev/null"), Platform.LibC.O_RDONLY, 0), "stdin");
            Check(LibC.SpawnFileActionsAddOpen(actions, 1, Utf8(logPath), LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND, 0x180), "stdout");
            Check(LibC.SpawnFileActionsAddOpen(actions, 2, Utf8(logPath), LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND, 0x180), "stderr");
            Check(LibC.SpawnFileActionsAddCloseFrom(actions, 3), "closefrom");
            LibC.SignalSetEmpty(signals);
            Check(LibC.SpawnAttributesSetSignalMask(attributes, signals), "signal mask");
            // .NET ignores SIGPIPE; an ignored signal would stay ignored across exec.
            LibC.SignalSetFill(signals);
            Check(LibC.SpawnAttributesSetSignalDefault(attributes, signals), "signal defaults");
            Check(LibC.SpawnAttributesSetFlags(attributes, LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF), "flags");

            var envp = NullTerminated([.. environment.Select(e => $"{e.Key}={e.Value}")]);
            Check(LibC.PosixSpawn(out var pid, Utf8(setsid), actions, attributes, NullTerminated(argv), envp), "posix_spawn " + setsid);
            // setsid --fork exits as soon as it has forked the daemon; reap it so it leaves no zombie.
            while (LibC.WaitPid(pid, out _, 0) < 0 && Marshal.GetLastPInvokeError() == Platform.LibC.EINTR) { }
        }
        finally
        {
            LibC.SpawnFileActionsDestroy(actions);
            LibC.SpawnAttributesDestroy(attributes);
            foreach (var pointer in allocations) Marshal.FreeCoTaskMem(pointer);
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0) throw new Win32Exception(error, $"Starting the DHCP daemon failed at {what}: {new Win32Exception(error).Message}.");
    }
}
