# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "G2P Encryption: KeyBridge",
    "summary": "KeyBridge as OpenG2P encryption provider (encrypt, decrypt, JWT sign/verify, JWKS)",
    "version": "17.0.1.0.0",
    "category": "G2P",
    "website": "https://github.com/OpenG2P/keybridge",
    "author": "OpenG2P",
    "license": "LGPL-3",
    "depends": ["g2p_encryption", "keybridge_base"],
    "data": [
        "security/ir.model.access.csv",
        "views/encryption_provider_views.xml",
        "data/default_provider.xml",
    ],
    "installable": True,
    "application": False,
}
