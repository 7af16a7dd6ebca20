using Microsoft.Extensions.Options;
using OpenG2P.KeyBridge.Mosip;
using OpenG2P.KeyBridge.Signing;
using OpenG2P.KeyBridge.Server.Mosip.Import;
using OpenG2P.KeyBridge.Storage;

namespace OpenG2P.KeyBridge.Server.Mosip;

public static class MosipServices
{
    /// <summary>The MOSIP keymanager-compatible surface: options (<c>Mosip:*</c>, checked at start-up), the id map, the imported-key index.</summary>
    public static IServiceCollection AddKeyBridgeMosip(this IServiceCollection services)
    {
        services.AddOptions<MosipOptions>().BindConfiguration("Mosip").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<MosipOptions>, MosipOptionsValidator>();
        services.AddSingleton<IMosipKeyStore>(sp => sp.GetRequiredService<SqlKeyStore>());
        services.AddSingleton<MosipKeyIndex>();
        services.AddSingleton<MosipKeyMap>();
        services.AddSingleton<MosipKeys>();
        services.AddSingleton<MosipRuntime>();
        services.AddSingleton<MosipKeystoreImporter>();
        services.AddSingleton<IJwksKidAliases, MosipJwksAliases>();
        return services;
    }

    /// <summary>A broken <c>Mosip:KeyMap</c> stops the start with its reason instead of failing the first request.</summary>
    private sealed class MosipOptionsValidator : IValidateOptions<MosipOptions>
    {
        public ValidateOptionsResult Validate(string? name, MosipOptions options)
        {
            if (options.PreExpireDays >= options.CertificateValidityDays)
            {
                return ValidateOptionsResult.Fail("Mosip:PreExpireDays must be shorter than Mosip:CertificateValidityDays");
            }
            try
            {
                _ = new MosipKeyMap(Options.Create(options));
                return ValidateOptionsResult.Success;
            }
            catch (InvalidOperationException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
