using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Keys;
using OpenG2P.KeyBridge.Server.Hosting;
using OpenG2P.KeyBridge.Server.Jobs.Dashboard;
using OpenG2P.KeyBridge.Server.Jobs.Reencryption;
using OpenG2P.KeyBridge.Server.Jobs.Rotation;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Jobs;

public static class JobsServices
{
    /// <summary>
    /// Hangfire (PostgreSQL storage with <c>Storage:Provider=postgres</c>, in-memory storage in embedded mode),
    /// scheduled rotation, the re-encryption and KEK rotation jobs, and job recovery.
    /// </summary>
    public static WebApplicationBuilder AddKeyBridgeJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JobsOptions>().BindConfiguration("Jobs").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new KeyPolicyLimits(TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<JobsOptions>>().Value.MinRotationPeriodSeconds)));
        services.AddSingleton(sp => (IJobStore)sp.GetRequiredService<IKeyStore>());
        services.AddSingleton<JobMetrics>();
        services.AddSingleton<OdooTransport>();
        services.AddSingleton<JobSecrets>();
        services.AddSingleton<JobLauncher>();
        services.AddSingleton<JobService>();
        services.AddSingleton<RotationSchedule>();
        services.AddSingleton<DashboardAccess>();
        services.AddTransient<JobRunner>();
        services.AddTransient<RotationJobs>();
        services.AddTransient<Destruction.DestructionJobs>();
        services.AddTransient<IJobHandler, ReencryptionJob>();
        services.AddTransient<IJobHandler, KekRotationJob>();

        services.AddHangfire((sp, config) =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var jobs = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
            if (storage.Provider == "postgres")
            {
                config.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(storage.ConnectionString), new PostgreSqlStorageOptions
                {
                    SchemaName = jobs.HangfireSchema,
                    PrepareSchemaIfNecessary = true,
                    QueuePollInterval = TimeSpan.FromSeconds(Math.Min(jobs.SchedulePollingSeconds, 5)),
                });
            }
            else
            {
                // Embedded mode: Hangfire's own state is in memory; KeyBridge's job tables keep what must survive a restart.
                config.UseInMemoryStorage();
            }
        });
        services.AddHangfireServer((sp, server) =>
        {
            var jobs = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            server.WorkerCount = jobs.WorkerCount;
            server.SchedulePollingInterval = TimeSpan.FromSeconds(jobs.SchedulePollingSeconds);
            server.ServerName = $"keybridge:{Environment.MachineName}:{Environment.ProcessId}";
        });
        services.AddHostedService<JobsStartup>();
        services.AddHostedService<JobRecovery>();
        services.AddHostedService<Destruction.DestructionSchedule>();
        return builder;
    }

    /// <summary>The dashboard at <c>/hangfire</c> (admin and job-operator only) and its sign-in form.</summary>
    public static WebApplication MapKeyBridgeJobs(this WebApplication app)
    {
        app.UseDashboardSignInRedirect();
        DashboardLogin.Map(app);
        DashboardRoutes.Routes.AddRazorPage(JobsPage.Route, _ => new JobsPage());
        NavigationMenu.Items.Add(page => new MenuItem("KeyBridge jobs", page.Url.To(JobsPage.Route))
        {
            Active = page.RequestPath.StartsWith(JobsPage.Route, StringComparison.Ordinal),
        });
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [app.Services.GetRequiredService<DashboardAccess>()],
            DashboardTitle = "KeyBridge jobs",
            DisplayStorageConnectionString = false,
            AppPath = null,
        });
        return app;
    }
}
