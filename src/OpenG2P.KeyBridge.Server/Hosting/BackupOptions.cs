using System.ComponentModel.DataAnnotations;

namespace OpenG2P.KeyBridge.Server.Hosting;

/// <summary><c>Backup:*</c> — where <c>backup.create</c> writes bundles on the node that serves the call.</summary>
public sealed class BackupOptions
{
    /// <summary>Folder for bundles written by <c>backup.create</c>; default <c>&lt;DataDirectory&gt;/backups</c>. Created 0700.</summary>
    public string? Directory { get; set; }

    public string DirectoryFor(StorageOptions storage) => Directory ?? Path.Combine(storage.DataDirectory, "backups");
}

/// <summary><c>Keys:*</c> — deletion safety.</summary>
public sealed class KeysOptions
{
    /// <summary>
    /// How long <c>key.destroy_version</c> and <c>key.delete</c> wait before erasing material (cancellable meanwhile), as
    /// a TimeSpan: <c>7.00:00:00</c> (the default), <c>30.00:00:00</c>, <c>00:00:05</c>. <c>0</c> erases at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00", ErrorMessage = "Keys:DeletionWaitingPeriod must be between 0 and 365 days")]
    public TimeSpan DeletionWaitingPeriod { get; set; } = TimeSpan.FromDays(7);
}
