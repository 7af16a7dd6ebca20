# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# Plain-Python logic of the addon (no Odoo imports), tested with plain python3 in
# odoo_addon/tests_pure: field selection and batching (encrypted_fields), the create/write/read
# flow against a small ORM port (orm_flow), blind-index search (blind_search), vouchers.
