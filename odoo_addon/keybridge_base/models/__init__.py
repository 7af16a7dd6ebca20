# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import keybridge_backend
from . import keybridge_voucher
from . import res_partner
