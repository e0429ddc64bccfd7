using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Daemon;

/// <summary>
/// The daemon's one serving thread: an epoll set of every network's sockets, timers and a queue of work posted
/// from other threads (control requests, the lease committer). Handlers, timers and posted work run on this
/// thread only, one at a time, so what they touch needs no lock of its own — as dnsmasq, sd-event and Kea
/// serve. The number of threads stays the same whatever the number of networks.
/// </summary>
internal sealed unsafe class EventLoop : IDisposable
{
    /// <summary>Events taken per epoll_wait; more ready sockets are simply taken by the next call.</summary>
    private const int MaxEvents = 64;

    private readonly int _epoll;
    private readonly Wakeup _wakeup = new();
    private readonly DaemonLog _log;
    private readonly Dictionary<int, Action<uint>> _handlers = [];
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly PriorityQueue<LoopTimer, long> _timers = new();
    private readonly long _origin = Stopwatch.GetTimestamp();
    private Thread? _thread;
    private volatile bool _stopping;

    public EventLoop(DaemonLog log)
    {
        _log = log;
        _epoll = Native.EpollCreate(Native.EPOLL_CLOEXEC);
        if (_epoll < 0) throw new SocketException(Marshal.GetLastPInvokeError());
        AddToEpoll(_wakeup.Fd, Native.EPOLLIN);
    }

    /// <summary>Time since the loop was made, on the monotonic clock its timers use.</summary>
    public TimeSpan Now => Stopwatch.GetElapsedTime(_origin);

    public bool IsLoopThread => ReferenceEquals(Thread.CurrentThread, _thread);

    /// <summary>Starts the serving thread.</summary>
    public void Start()
    {
        _thread = new Thread(Run) { Name = "serve", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Calls <paramref name="handler"/> with the ready events whenever <paramref name="fd"/> is ready (level-triggered). Loop thread only.</summary>
    public void Watch(int fd, uint events, Action<uint> handler)
    {
        AssertLoopThread();
        AddToEpoll(fd, events);
        _handlers[fd] = handler;
    }

    /// <summary>Stops watching before the caller closes <paramref name="fd"/>. Loop thread only.</summary>
    public void Unwatch(int fd)
    {
        AssertLoopThread();
        if (!_handlers.Remove(fd)) return;
        Native.EpollControl(_epoll, Native.EPOLL_CTL_DEL, fd, null);
    }

    /// <summary>Runs <paramref name="callback"/> on the loop thread after <paramref name="delay"/>, unless cancelled first. Loop thread only.</summary>
    public LoopTimer Schedule(TimeSpan delay, Action callback)
    {
        AssertLoopThread();
        var timer = new LoopTimer(callback);
        _timers.Enqueue(timer, (Now + delay).Ticks);
        return timer;
    }

    /// <summary>Queues work for the loop thread; from any thread.</summary>
    public void Post(Action action)
    {
        _posted.Enqueue(action);
        _wakeup.Signal();
    }

    /// <summary>Runs <paramref name="work"/> on the loop thread and waits for its result (or exception); from any other thread.</summary>
    public T Invoke<T>(Func<T> work)
    {
        if (IsLoopThread || _thread is null) return work();
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try { completion.SetResult(work()); }
            catch (Exception e) { completion.SetException(e); }
        });
        return completion.Task.GetAwaiter().GetResult();
    }

    /// <summary>Ends the loop after the work it is doing; from any thread. Work posted later is not run.</summary>
    public void Stop()
    {
        _stopping = true;
        _wakeup.Signal();
        if (!IsLoopThread) _thread?.Join();
    }

    public void Dispose()
    {
        Stop();
        LibC.Close(_epoll);
        _wakeup.Dispose();
    }

    private void Run()
    {
        var events = stackalloc Native.EpollEvent[MaxEvents];
        while (!_stopping)
        {
            var ready = Native.EpollWait(_epoll, events, MaxEvents, TimeoutMilliseconds());
            if (ready < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error == LibC.EINTR) continue;
                throw new SocketException(error);
            }
            for (var i = 0; i < ready && !_stopping; i++)
            {
                var fd = (int)events[i].Data;
                if (fd == _wakeup.Fd)
                {
                    _wakeup.Drain();
                    continue;
                }
                // A handler earlier in this batch may have unwatched (and closed) it.
                if (_handlers.TryGetValue(fd, out var handler)) Guarded(() => handler(events[i].Events));
            }
            while (!_stopping && _posted.TryDequeue(out var work)) Guarded(work);
            RunDueTimers();
        }
    }

    private void RunDueTimers()
    {
        var now = Now.Ticks;
        while (!_stopping && _timers.TryPeek(out var timer, out var due) && due <= now)
        {
            _timers.Dequeue();
            if (!timer.Cancelled) Guarded(timer.Fire);
        }
    }

    private int TimeoutMilliseconds()
    {
        if (!_posted.IsEmpty) return 0;
        while (_timers.TryPeek(out var timer, out _) && timer.Cancelled) _timers.Dequeue();
        if (!_timers.TryPeek(out _, out var due)) return -1;
        var wait = TimeSpan.FromTicks(due) - Now;
        return wait <= TimeSpan.Zero ? 0 : (int)Math.Min(Math.Ceiling(wait.TotalMilliseconds), int.MaxValue);
    }

    /// <summary>
    /// One network's failure (a socket error, a defect) is logged and must not end the loop that serves every
    /// other network.
    /// </summary>
    private void Guarded(Action work)
    {
        try { work(); }
        catch (Exception e)
        {
            _log.Write($"serve: {e.GetType().Name}: {e.Message}");
        }
    }

    private void AddToEpoll(int fd, uint events)
    {
        var ev = new Native.EpollEvent { Events = events, Data = (ulong)fd };
        if (Native.EpollControl(_epoll, Native.EPOLL_CTL_ADD, fd, &ev) < 0) throw new SocketException(Marshal.GetLastPInvokeError());
    }

    [Conditional("DEBUG")]
    private void AssertLoopThread() =>
        Debug.Assert(_thread is null || IsLoopThread, "EventLoop: watches and timers belong to the loop thread.");
}

/// <summary>A scheduled callback of an <see cref="EventLoop"/>; cancelling it is all one can do.</summary>
internal sealed class LoopTimer(Action callback)
{
    public bool Cancelled { get; private set; }

    public void Cancel() => Cancelled = true;

    internal void Fire()
    {
        Cancelled = true;
        callback();
    }
}
