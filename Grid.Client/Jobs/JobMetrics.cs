using System.Diagnostics.Metrics;

namespace Grid.Jobs;

/// <summary>Metrics of code shipping (meter "Grid.Jobs").</summary>
internal static class JobMetrics
{
    public const string MeterName = "Grid.Jobs";
    private static readonly Meter Meter = new(MeterName);

    /// <summary>Packages a client uploaded (tag "package": the hash). A package the GCS already has is not uploaded again.</summary>
    public static readonly Counter<long> PackageUploads = Meter.CreateCounter<long>("grid.jobs.package_uploads", description: "Code packages uploaded to the GCS");
    public static readonly Counter<long> PackageUploadBytes = Meter.CreateCounter<long>("grid.jobs.package_upload_bytes", unit: "By", description: "Bytes of code packages uploaded");
    /// <summary>Jobs whose package was already in the GCS (tag "package").</summary>
    public static readonly Counter<long> PackageReuses = Meter.CreateCounter<long>("grid.jobs.package_reuses", description: "Jobs that found their code package already stored");
}
