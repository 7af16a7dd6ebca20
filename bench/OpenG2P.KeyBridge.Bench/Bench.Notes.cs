namespace OpenG2P.KeyBridge.Bench;

public sealed partial class Bench
{
    /// <summary>What a reader needs to interpret the figures.</summary>
    private void AddNotes()
    {
        _results.Notes.AddRange(
        [
            "Every scenario is warmed up before it is measured (the first seconds of a process run un-tiered code), and every load loop is bounded by time and by a request count.",
            "Embedded (sqlite) uses the default `Audit:SqliteSynchronous=normal`: audit groups are committed in WAL mode without an fsync each, durable against a killed process but not a power loss. `full` fsyncs every group commit (about 4 ms each on this kind of disk).",
            "PostgreSQL runs from scripts/test-postgres.sh (fsync=off, synchronous_commit=off): it measures KeyBridge's work, not the disk.",
            "Server CPU per 1,000 items is user + system time of the server process (/proc/<pid>/stat) over the measured interval; the load generator's own CPU is not included but competes for the same two cores.",
            "MOSIP's design is measured in-process without HTTP, database or HSM round trips, on all cores: the comparison is generous to MOSIP. Its decrypt unwraps the base key (RSA-OAEP with the master key, then AES-GCM over the wrapped PKCS#8; the per-call PKCS#8 parse MOSIP also does is left out) and then the session key (RSA-OAEP with the base key) per call.",
            "The re-encryption job writes each changed record back with one Odoo `write` call, as docs/jobs.md describes; its rate includes the fake Odoo's time on the same cores.",
        ]);
    }
}
