# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "KeyBridge Base",
    "summary": "KeyBridge key manager: backend, JSON-RPC client, encrypted contact fields, "
    "blind-index search, voucher QR codes",
    "version": "17.0.1.0.0",
    "category": "Hidden/Tools",
    "website": "https://github.com/OpenG2P/keybridge",
    "author": "OpenG2P",
    "license": "LGPL-3",
    "depends": ["base", "contacts"],
    "data": [
        "security/keybridge_security.xml",
        "security/ir.model.access.csv",
        "data/keybridge_backend_data.xml",
        "views/keybridge_backend_views.xml",
        "views/keybridge_voucher_views.xml",
        "views/res_partner_views.xml",
        "report/keybridge_voucher_report.xml",
    ],
    "installable": True,
    "application": False,
}
